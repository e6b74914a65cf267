// The proxy as its own process, started by the hub's ensureProxy: it is re-used rather than
// started twice, and an open websocket (a kernel's) and logins it already checked keep working
// while the hub is stopped and started again.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import type { ProxyClient } from '../../../src/hub/proxy/client.js';
import { proxyClientFor } from '../../../src/hub/proxy/hub-proxy.js';
import { ensureProxy, stopProxy, type ProxyHost } from '../../../src/hub/proxy/lifecycle.js';
import { ensureProxySecret } from '../../../src/hub/proxy/secret.js';
import {
  COOKIE_SECRET,
  freePort,
  nextMessage,
  openWebSocket,
  rawRequest,
  startTestHub,
  startUserServer,
  type FakeUserServer,
  type TestHub,
} from './support.js';

let dataDir: string;
let host: ProxyHost;
let client: ProxyClient;
let hub: TestHub;
let alice: FakeUserServer;
let proxyPid: number | undefined;
let publicUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'coursehub-proxy-life-'));
  const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const config = configSchema.parse({
    hub: { port, hubPort, dataDir, cookieSecret: COOKIE_SECRET },
    proxy: { apiPort, authCacheTtlSeconds: 1 },
  });
  publicUrl = `http://127.0.0.1:${port}`;
  hub = await startTestHub({
    proxyApiUrl: `http://127.0.0.1:${apiPort}`,
    port: hubPort,
    proxySecret: ensureProxySecret(dataDir),
  });
  host = { config, log: pino({ level: 'silent' }) };
  client = proxyClientFor(config);
  alice = await startUserServer('alice');
});

afterAll(async () => {
  if (proxyPid !== undefined && !(await stopProxy(dataDir))) {
    try {
      process.kill(-proxyPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await hub?.close();
  await alice?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('proxy life cycle', () => {
  it('starts the proxy as a detached process, then re-uses it, re-syncing routes', async () => {
    const wantedRoutes = async () => [{ user: 'alice', url: alice.url, serverToken: 'alice-token-xyz' }];
    const first = await ensureProxy(host, client, { wantedRoutes });
    expect(first.outcome).toBe('started');
    proxyPid = first.pid;
    expect(proxyPid).toBeGreaterThan(0);
    // Its own process group: a signal to the hub's group does not reach it.
    expect(process.kill(-proxyPid!, 0)).toBe(true);
    expect(statSync(join(dataDir, 'proxy_secret')).mode & 0o777).toBe(0o600);
    expect(Object.keys(await first.client.getRoutes())).toContain('/user/alice');

    // A stale route (a server that stopped while the hub was down) is removed on re-sync.
    await first.client.addUserServer({ user: 'gone', url: 'http://127.0.0.1:9' });
    const second = await ensureProxy(host, client, { wantedRoutes });
    expect(second.outcome).toBe('reused');
    const routes = Object.keys(await second.client.getRoutes());
    expect(routes).toContain('/user/alice');
    expect(routes).not.toContain('/user/gone');
  });

  it('keeps an open websocket and checked logins working while the hub restarts', async () => {
    const { cookie } = await hub.login('alice');
    const headers = { cookie: `coursehub-session=${cookie}` };
    const { socket, first } = await openWebSocket(
      `${publicUrl.replace('http:', 'ws:')}/user/alice/api/kernels/k/channels`,
      headers,
    );
    expect((first.headers as Record<string, string>).authorization).toBe('token alice-token-xyz');
    const { token: aliceToken } = await hub.tokens.create({ user: 'alice' });

    await hub.stop();
    expect((await rawRequest(publicUrl, '/hub/home')).status).toBe(503);
    // The auth TTL is 1 s: wait past it, so the proxy would have to ask the (stopped) hub.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    socket.send('x = 1');
    expect(await nextMessage(socket)).toBe('echo:x = 1');
    expect((await rawRequest(publicUrl, '/user/alice/tree', headers)).status).toBe(200);
    // A credential the proxy never checked cannot be confirmed now: 503, not let through.
    const unknown = await rawRequest(publicUrl, '/user/alice/api/status', {
      authorization: `token ${aliceToken}`,
    });
    expect(unknown.status).toBe(503);
    expect(unknown.headers['retry-after']).toBe('5');

    await hub.start();
    socket.send('x + 1');
    expect(await nextMessage(socket)).toBe('echo:x + 1');
    expect(
      (await rawRequest(publicUrl, '/user/alice/api/status', { authorization: `token ${aliceToken}` }))
        .status,
    ).toBe(200);
    socket.close();
  });

  it("stopProxy ends the detached proxy (an operator's or a test's shutdown)", async () => {
    expect(await stopProxy(dataDir)).toBe(true);
    expect(() => process.kill(-proxyPid!, 0)).toThrow();
    proxyPid = undefined;
    expect(await stopProxy(dataDir)).toBe(false);
  });
});
