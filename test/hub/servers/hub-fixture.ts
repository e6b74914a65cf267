/**
 * A real hub for the server API, page and security tests: the app from src/app/build-hub.ts
 * listening on loopback, the real proxy in front of it (asking the hub about every credential
 * through its authorize endpoint, as in production), a SQLite database, and Unix accounts for
 * the test users (removed again in dispose). `baseUrl` serves it all under hub.baseUrl.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildHub } from '../../../src/app/build-hub.js';
import type { HubServices } from '../../../src/app/services.js';
import { configSchema } from '../../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { SESSION_COOKIE_NAME, verifySessionCookie } from '../../../src/hub/auth/session-cookie.js';
import { hubOracle } from '../../../src/hub/proxy/hub-oracle.js';
import { startProxyProcess, type RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { ensureProxySecret } from '../../../src/hub/proxy/secret.js';
import { HubUrls } from '../../../src/hub/urls.js';
import { removeUnixAccount } from '../spawner/test-accounts.js';

const COOKIE_SECRET = 'c'.repeat(64);

export interface TestHub {
  app: FastifyInstance;
  services: HubServices;
  /** The hub's URLs under its base URL (hub.baseUrl). */
  urls: HubUrls;
  /** http://127.0.0.1:PORT of the hub itself. */
  hubUrl: string;
  proxy: RunningProxy;
  /** The secret the proxy and the hub share (for calling the hub's proxy endpoints as the proxy). */
  proxySecret: string;
  /** Session cookie + CSRF header of a fresh browser session. */
  session(name: string): Promise<{ cookie: string; csrf: string; cookieValue: string }>;
  token(name: string, scopes?: string[]): Promise<string>;
  dispose(): Promise<void>;
}

export async function startTestHub(options: {
  users: string[];
  admins?: string[];
  /** Spawner settings over the defaults; `local.homeRoot` is a folder of the test's own. */
  spawner?: { local?: Record<string, unknown>; [key: string]: unknown };
  /** hub.baseUrl (default '/'). */
  baseUrl?: string;
  /** Proxy settings over the defaults (e.g. adminAccess). */
  proxy?: Record<string, unknown>;
  /** JupyterHub's services (the `services` config list). */
  services?: Record<string, unknown>[];
}): Promise<TestHub> {
  const urls = new HubUrls(options.baseUrl ?? '/');
  const everyone = [...options.users, ...(options.admins ?? [])];
  for (const user of everyone) removeUnixAccount(user);
  const root = mkdtempSync(join(tmpdir(), 'coursehub-hub-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const proxySecret = ensureProxySecret(dataDir);
  let hubApiUrl = '';
  const proxy = await startProxyProcess({
    ip: '127.0.0.1',
    port: 0,
    apiIp: '127.0.0.1',
    apiPort: 0,
    defaultTarget: 'http://127.0.0.1:9',
    baseUrl: urls.base,
    apiSecret: proxySecret,
    verifySessionCookie: (value) => verifySessionCookie(value, COOKIE_SECRET),
    oracle: (credential, owner, serverName) =>
      hubOracle({ hubApiUrl, proxySecret })(credential, owner, serverName),
  });
  const config = configSchema.parse({
    hub: { dataDir, cookieSecret: COOKIE_SECRET, hubPort: 0, baseUrl: urls.base },
    proxy: { ...options.proxy, apiIp: '127.0.0.1', apiPort: Number(new URL(proxy.apiUrl).port) },
    spawner: {
      ...options.spawner,
      local: { homeRoot: join(root, 'homes'), ...options.spawner?.local },
    },
    ...(options.services ? { services: options.services } : {}),
  });
  const database: DatabaseHandle = openDatabase({ url: join(dataDir, 'coursehub.sqlite') });
  await migrateToLatest(database.db);
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const { app, services } = await buildHub({ config, db: database.db, log });
  // What `coursehub start` does before listening: the configured services' tokens into the database.
  await services.serviceRegistry.syncToDatabase();
  for (const name of options.users) await services.users.create({ name, admin: false });
  for (const name of options.admins ?? []) await services.users.create({ name, admin: true });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const hubUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  hubApiUrl = `${hubUrl}${urls.api()}`;
  proxy.routes.add('/', hubUrl);
  const { tokens } = services;

  return {
    app,
    services,
    urls,
    hubUrl,
    proxy,
    proxySecret,
    async session(name) {
      const created = await services.sessions.create(name);
      return {
        cookie: `${SESSION_COOKIE_NAME}=${created.cookieValue}`,
        csrf: created.csrfToken,
        cookieValue: created.cookieValue,
      };
    },
    async token(name, scopes) {
      return (await tokens.create({ user: name, scopes })).token;
    },
    async dispose() {
      const manager = services.servers;
      for (const s of manager.readyServers())
        await (await manager.stop(s.userName, s.serverName)).done.catch(() => undefined);
      await app.close();
      await proxy.close();
      await database.close();
      for (const user of everyone) removeUnixAccount(user);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
