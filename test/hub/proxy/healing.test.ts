// A killed proxy heals (issue 17, item 6): the real hub (`coursehub start`) watches its proxy.
// One it started (proxy.autoStart) and that is killed with SIGKILL is started again with every
// route; one run by someone else (autoStart off) is given every route again when it is back.
// Each shown through the real proxy, with a user's route to a server behind it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubUrls } from '../../../src/hub/urls.js';
import { defaultProxyCommand } from '../../../src/hub/proxy/lifecycle.js';
import { ensureProxySecret } from '../../../src/hub/proxy/secret.js';
import { startRealHub, type RealHub } from '../../support/hub.js';
import { freePort } from '../../support/postgres.js';
import { COOKIE_SECRET, startUserServer, type FakeUserServer } from './support.js';

const ALICE = 'alice';
const SERVER_TOKEN = 'alice-server-token-for-healing';

/** Polls `what` every 100 ms until it is true; throws with the last value after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${ms / 1000} s`);
}

/** alice's request to her server through the proxy, with her API token: what her server saw. */
async function throughProxy(hub: RealHub, token: string): Promise<number> {
  const response = await fetch(new URL(`user/${ALICE}/api/status`, hub.url), {
    headers: { authorization: `token ${token}` },
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

/** A hub user alice, her API token, and a route the hub wants to a server of hers. */
async function aliceWithRoute(hub: RealHub, server: FakeUserServer): Promise<string> {
  const { services } = hub.hub;
  await services.users.create({ name: ALICE });
  const { token } = await services.tokens.create({ user: ALICE, scopes: [`access:servers!user=${ALICE}`] });
  await services.proxy.addUserServer({ user: ALICE, url: server.url, serverToken: SERVER_TOKEN });
  return token;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a proxy the hub started (proxy.autoStart)', () => {
  let hub: RealHub;
  let server: FakeUserServer;
  let token: string;

  beforeAll(async () => {
    hub = await startRealHub({ config: { auth: { authenticator: 'dummy' } } });
    server = await startUserServer(ALICE);
    token = await aliceWithRoute(hub, server);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await server?.close();
  });

  it('killed with SIGKILL, is started again with every route', { timeout: 90_000 }, async () => {
    expect(await throughProxy(hub, token)).toBe(200);
    const pidFile = join(hub.dataDir, 'proxy.pid');
    const killed = Number(readFileSync(pidFile, 'utf8'));
    process.kill(killed, 'SIGKILL');
    await until('the killed proxy is gone', async () => !alive(killed));
    // Back on the same ports, as a new process, and alice's route (with her server's token) too.
    await until(
      'alice reaches her server through the proxy again',
      async () => (await throughProxy(hub, token)) === 200,
    );
    const restarted = Number(readFileSync(pidFile, 'utf8'));
    expect(restarted).not.toBe(killed);
    expect(alive(restarted)).toBe(true);
    expect(server.seen.at(-1)!.headers.authorization).toBe(`token ${SERVER_TOKEN}`);
  });
});

describe('a proxy someone else runs (proxy.autoStart off)', () => {
  let hub: RealHub;
  let server: FakeUserServer;
  let token: string;
  let dataDir: string;
  let proxy: ChildProcess | undefined;
  let ports: { port: number; hubPort: number; apiPort: number };

  /** `coursehub proxy` as a service manager would run it, for this hub. */
  async function runProxy(): Promise<ChildProcess> {
    const { executable, args } = defaultProxyCommand();
    const child = spawn(
      executable,
      [
        ...args,
        ...['--ip', '127.0.0.1', '--port', String(ports.port), '--api-port', String(ports.apiPort)],
        ...['--default-target', `http://127.0.0.1:${ports.hubPort}`, '--data-dir', dataDir],
        ...['--hub-api-url', `http://127.0.0.1:${ports.hubPort}${new HubUrls('/').api()}`],
      ],
      {
        stdio: 'ignore',
        env: { PATH: process.env.PATH, COURSEHUB_COOKIE_SECRET: COOKIE_SECRET },
      },
    );
    await until('the proxy answers', async () => {
      await fetch(`http://127.0.0.1:${ports.apiPort}/api/routes`);
      return true;
    });
    return child;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'coursehub-healing-'));
    ensureProxySecret(dataDir, {});
    ports = { port: await freePort(), hubPort: await freePort(), apiPort: await freePort() };
    proxy = await runProxy();
    hub = await startRealHub({
      config: {
        hub: { port: ports.port, hubPort: ports.hubPort, dataDir, cookieSecret: COOKIE_SECRET },
        proxy: { apiPort: ports.apiPort, autoStart: false },
        auth: { authenticator: 'dummy' },
      },
    });
    server = await startUserServer(ALICE);
    token = await aliceWithRoute(hub, server);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    proxy?.kill('SIGKILL');
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'killed with SIGKILL and run again by its manager, gets every route back',
    { timeout: 90_000 },
    async () => {
      expect(await throughProxy(hub, token)).toBe(200);
      proxy!.kill('SIGKILL');
      await until(
        'the killed proxy is gone',
        async () => proxy!.exitCode !== null || proxy!.signalCode !== null,
      );
      // Its manager starts it again (the hub does not: autoStart is off); it starts with no route
      // of alice's, and the hub puts hers back.
      proxy = await runProxy();
      await until(
        'alice reaches her server through the proxy again',
        async () => (await throughProxy(hub, token)) === 200,
      );
      expect(server.seen.at(-1)!.headers.authorization).toBe(`token ${SERVER_TOKEN}`);
    },
  );
});
