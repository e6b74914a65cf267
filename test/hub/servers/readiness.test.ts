// Issue 11 item 9 (a): a process that takes a server's port before the server binds it must not be
// taken for the server: the readiness check asks the spawner whether the listening socket is its
// server's, so the proxy route (which adds the server's token to every request) never points at
// the squatter. Real jupyter-notebook, real local spawner, real proxy; the squatter is an HTTP
// server in this process that answers everything and records what it was sent.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubStores } from '../../../src/db/stores/hub-stores.js';
import { ServerStartError } from '../../../src/hub/servers/errors.js';
import { waitForServer } from '../../../src/hub/servers/readiness.js';
import { ServerManager } from '../../../src/hub/servers/server-manager.js';
import { hubServerTokens } from '../../../src/hub/servers/server-tokens.js';
import { spawnerFactoryFromConfig } from '../../../src/hub/spawner/factory.js';
import type { Spawner, SpawnRequest } from '../../../src/hub/spawner/spawner.js';
import { TokenService } from '../../../src/hub/tokens/index.js';
import { HubUrls } from '../../../src/hub/urls.js';
import { createServerFixture, type ServerFixture } from './fixture.js';
import { spawnerSectionDefaults } from './settings.js';

const isRoot = process.getuid?.() === 0;
const ALICE = 'chrd_alice';
const BOB = 'chrd_bob';

interface Squatter {
  server: Server;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** An HTTP server on `port` of 127.0.0.1 that answers 200 to everything, as Jupyter's `api` would. */
async function squat(port: number): Promise<Squatter> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"version": "6.4.12"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    server,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const sawToken = (squatter: Squatter, token: string) =>
  squatter.seen.some((headers) => JSON.stringify(headers).includes(token));

describe.runIf(isRoot)('a squatter on the server’s port', () => {
  let fx: ServerFixture;
  const squatters: Squatter[] = [];
  const managers: ServerManager[] = [];

  /** A ServerManager over the real local spawner whose first start of each user gets squatted. */
  function managerWithSquatter(): ServerManager {
    const log = pino({ level: 'silent' });
    const defaults = spawnerSectionDefaults();
    const settings = { ...defaults, local: { ...defaults.local, homeRoot: join(fx.root, 'homes') } };
    const real = spawnerFactoryFromConfig(settings, { logDir: join(fx.root, 'logs'), log });
    const squatted = new Set<string>();
    const factory = (userName: string, serverName: string): Spawner => {
      const spawner = real(userName, serverName);
      const start = spawner.start.bind(spawner);
      spawner.start = async (request: SpawnRequest) => {
        const server = await start(request);
        if (!squatted.has(userName)) {
          squatted.add(userName);
          squatters.push(await squat(Number(new URL(server.url).port)));
        }
        return server;
      };
      return spawner;
    };
    const stores = createHubStores(fx.database.db);
    const manager = new ServerManager({
      store: stores.servers,
      log,
      settings,
      spawnerFactory: factory,
      routes: fx.proxyClient,
      tokens: hubServerTokens(new TokenService(stores.tokens)),
      hubApiUrl: 'http://127.0.0.1:8081/hub/api',
      urls: new HubUrls('/'),
    });
    managers.push(manager);
    return manager;
  }

  beforeAll(async () => {
    fx = await createServerFixture([ALICE, BOB]);
  });
  afterAll(async () => {
    for (const manager of managers)
      for (const server of manager.readyServers())
        await (await manager.stop(server.userName)).done.catch(() => undefined);
    for (const squatter of squatters) await squatter.close();
    await fx?.dispose();
  });

  it('is not taken for the server: the readiness check fails once the server could not bind', async () => {
    const defaults = spawnerSectionDefaults();
    const factory = spawnerFactoryFromConfig(
      { ...defaults, local: { ...defaults.local, homeRoot: join(fx.root, 'homes') } },
      { logDir: join(fx.root, 'logs'), log: pino({ level: 'silent' }) },
    );
    const spawner = factory(BOB, '');
    const server = await spawner.start({
      userName: BOB,
      serverName: '',
      baseUrl: `/user/${BOB}/`,
      hubEnv: {},
    });
    const squatter = await squat(Number(new URL(server.url).port));
    squatters.push(squatter);
    try {
      const waiting = waitForServer(server.url, {
        timeoutMs: 30_000,
        poll: () => spawner.poll(),
        ownsAddress: () => spawner.ownsAddress(),
      });
      await expect(waiting).rejects.toBeInstanceOf(ServerStartError);
      await expect(waiting).rejects.toThrow(/exited .*another process was answering on its port/);
      expect(squatter.seen.length).toBeGreaterThan(0); // it was asked, and answered
      expect(sawToken(squatter, server.token)).toBe(false);
    } finally {
      await spawner.stop();
    }
  });

  it('through the hub: the start goes on to a fresh port, and the squatter never sees the server’s token', async () => {
    const manager = managerWithSquatter();
    await (
      await manager.start(ALICE)
    ).ready;
    const squatter = squatters.at(-1)!;
    const server = manager
      .readyServers()
      .find((s) => s.userName === ALICE)!
      .spawner.current()!;
    const status = await fetch(`${fx.proxy.publicUrl}/user/${ALICE}/api/status`, {
      headers: { authorization: `token ${fx.ownerTokens[ALICE]}` },
    });
    expect(sawToken(squatter, server.token)).toBe(false);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { started?: string }).started).toBeDefined(); // Jupyter's, not the squatter's
    expect(Number(new URL(server.url).port)).not.toBe((squatter.server.address() as { port: number }).port);
  });
});
