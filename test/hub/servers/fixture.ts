/**
 * Shared set-up of the server life-cycle tests: a migrated SQLite database with two users, the
 * real proxy (in this process) with its API client, and a ServerManager over the real local
 * spawner. The proxy's oracle lets only the owner's own API token through, as the hub would.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openDatabase, migrateToLatest, type DatabaseHandle } from '../../../src/db/database.js';
import { createHubStores } from '../../../src/db/stores/hub-stores.js';
import { spawnerSectionDefaults } from './settings.js';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import { startProxyProcess, type RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { spawnerFactoryFromConfig, type SpawnerSettings } from '../../../src/hub/spawner/factory.js';
import { ServerManager } from '../../../src/hub/servers/server-manager.js';
import { hubServerTokens } from '../../../src/hub/servers/server-tokens.js';
import { TokenService } from '../../../src/hub/tokens/index.js';
import { HubUrls } from '../../../src/hub/urls.js';
import { removeUnixAccount } from '../spawner/test-accounts.js';

/** Spawner settings to change, the local spawner's own among them. */
export type SpawnerOverrides = Partial<Omit<SpawnerSettings, 'local'>> & {
  local?: Partial<SpawnerSettings['local']>;
};

export interface ServerFixture {
  root: string;
  database: DatabaseHandle;
  proxy: RunningProxy;
  proxyClient: ProxyClient;
  /** The owner's own API token per user, which the proxy's oracle accepts for that user only. */
  ownerTokens: Record<string, string>;
  makeManager(overrides?: SpawnerOverrides): ServerManager;
  dispose(): Promise<void>;
}

export async function createServerFixture(users: string[]): Promise<ServerFixture> {
  for (const user of users) removeUnixAccount(user);
  const root = mkdtempSync(join(tmpdir(), 'coursehub-servers-'));
  chmodSync(root, 0o755);
  const database = openDatabase({ url: join(root, 'coursehub.sqlite') });
  await migrateToLatest(database.db);
  const now = new Date().toISOString();
  for (const name of users)
    await database.db.insertInto('users').values({ name, admin: 0, created: now }).execute();

  const ownerTokens = Object.fromEntries(users.map((u) => [u, `owner-token-of-${u}`]));
  const secret = 'proxy-api-secret-for-tests';
  const proxy = await startProxyProcess({
    ip: '127.0.0.1',
    port: 0,
    apiIp: '127.0.0.1',
    apiPort: 0,
    defaultTarget: 'http://127.0.0.1:9', // no hub in these tests
    apiSecret: secret,
    verifySessionCookie: () => null,
    oracle: async (credential, owner) => {
      const user =
        credential.kind === 'token' ? (users.find((u) => ownerTokens[u] === credential.token) ?? null) : null;
      return { allowed: user === owner, user };
    },
  });
  const proxyClient = new ProxyClient(proxy.apiUrl, secret);
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const managers: ServerManager[] = [];

  return {
    root,
    database,
    proxy,
    proxyClient,
    ownerTokens,
    makeManager(overrides = {}) {
      const defaults = spawnerSectionDefaults();
      const settings: SpawnerSettings = {
        ...defaults,
        ...overrides,
        local: { ...defaults.local, homeRoot: join(root, 'homes'), ...overrides.local },
      };
      const stores = createHubStores(database.db);
      const manager = new ServerManager({
        store: stores.servers,
        log,
        settings,
        spawnerFactory: spawnerFactoryFromConfig(settings, { logDir: join(root, 'logs'), log }),
        routes: proxyClient,
        tokens: hubServerTokens(new TokenService(stores.tokens)),
        hubApiUrl: 'http://127.0.0.1:8081/hub/api',
        urls: new HubUrls('/'),
      });
      managers.push(manager);
      return manager;
    },
    async dispose() {
      for (const manager of managers) {
        for (const server of manager.readyServers())
          await (await manager.stop(server.userName)).done.catch(() => undefined);
        await manager.close();
      }
      await proxy.close();
      await database.close();
      for (const user of users) removeUnixAccount(user);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
