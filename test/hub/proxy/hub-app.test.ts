// The proxy's hub-side routes inside the real hub app (src/app/build-hub.ts, with the login and
// REST API areas): the authorize endpoint the proxy calls and JupyterHub's GET /hub/api/proxy.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub as buildHubApp } from '../../../src/app/build-hub.js';
import type { HubServices } from '../../../src/app/services.js';
import { configSchema } from '../../../src/config/schema.js';
import type { DatabaseHandle } from '../../../src/db/database.js';
import { startProxyProcess, type RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { ensureProxySecret } from '../../../src/hub/proxy/secret.js';
import { COOKIE_SECRET, databaseWithTestUsers, freePort } from './support.js';

interface Hub {
  app: FastifyInstance;
  services: HubServices;
  handle: DatabaseHandle;
  dataDir: string;
}

async function buildHub(proxy: Record<string, unknown>, createSecret: boolean): Promise<Hub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coursehub-proxy-app-'));
  if (createSecret) ensureProxySecret(dataDir, {});
  const config = configSchema.parse({
    hub: { dataDir, cookieSecret: COOKIE_SECRET },
    auth: { authenticator: 'dummy' },
    proxy,
  });
  const handle = await databaseWithTestUsers();
  const { app, services } = await buildHubApp(
    { config, db: handle.db, log: pino({ level: 'silent' }) },
    { auth: { env: {}, print: () => {} } },
  );
  await app.ready();
  return { app, services, handle, dataDir };
}

async function closeHub(hub: Hub | undefined): Promise<void> {
  if (!hub) return;
  await hub.app.close();
  await hub.handle.close();
  rmSync(hub.dataDir, { recursive: true, force: true });
}

async function cookieOf(hub: Hub, user: string): Promise<string> {
  return (await hub.services.auth.sessions.create(user)).cookieValue;
}

function authorize(hub: Hub, owner: string, headers: Record<string, string>) {
  return hub.app.inject({ method: 'GET', url: `/hub/api/proxy/authorize?owner=${owner}`, headers });
}

describe('hub app with admin_access off', () => {
  let hub: Hub;
  let secret: string;
  let proxy: RunningProxy | undefined;
  beforeAll(async () => {
    hub = await buildHub({ apiPort: await freePort() }, true);
    secret = ensureProxySecret(hub.dataDir, {});
  });
  afterAll(async () => {
    await proxy?.close();
    await closeHub(hub);
  });

  it("answers the proxy: the owner's session passes, others' do not", async () => {
    const alice = await cookieOf(hub, 'alice');
    const boss = await cookieOf(hub, 'boss');
    const proxyHeaders = (cookie: string) => ({
      'x-coursehub-proxy-secret': secret,
      'x-coursehub-session-cookie': cookie,
    });
    expect((await authorize(hub, 'alice', proxyHeaders(alice))).json()).toEqual({
      allowed: true,
      user: 'alice',
    });
    expect((await authorize(hub, 'bob', proxyHeaders(alice))).json()).toMatchObject({
      allowed: false,
      user: 'alice',
    });
    expect((await authorize(hub, 'alice', proxyHeaders(boss))).json()).toMatchObject({
      allowed: false,
      user: 'boss',
    });
    expect((await authorize(hub, 'alice', proxyHeaders('junk.value'))).json()).toMatchObject({
      allowed: false,
      user: null,
    });
  });

  it('refuses callers without the proxy secret, even with a valid session', async () => {
    const alice = await cookieOf(hub, 'alice');
    const asBrowser = await authorize(hub, 'alice', {
      cookie: `coursehub-session=${alice}`,
      'x-coursehub-session-cookie': alice,
    });
    expect(asBrowser.statusCode).toBe(403);
  });

  it("answers the proxy's word that a server did not answer, and nobody else's", async () => {
    const unreachable = (query: string, headers: Record<string, string>) =>
      hub.app.inject({ method: 'POST', url: `/hub/api/proxy/unreachable${query}`, headers });
    const alice = await cookieOf(hub, 'alice');
    // Not the proxy: a browser (even alice's own: the CSRF check already stops it), a wrong
    // secret, or none. Nothing is checked or torn down.
    expect((await unreachable('?owner=alice', { cookie: `coursehub-session=${alice}` })).statusCode).toBe(
      403,
    );
    const notTheProxy: Record<string, string>[] = [{ 'x-coursehub-proxy-secret': 'guess-guess-guess' }, {}];
    for (const headers of notTheProxy) {
      const refused = await unreachable('?owner=alice', headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().message).toBe('Only the proxy may call this (proxy secret missing or wrong).');
    }
    const withSecret = { 'x-coursehub-proxy-secret': secret };
    const noOwner = await unreachable('', withSecret);
    expect(noOwner.statusCode).toBe(400);
    expect(noOwner.json()).toEqual({ status: 400, message: 'Query parameter "owner" is required.' });
    // alice has no server in this hub: it is stopped, with no reason to tell.
    const answer = await unreachable('?owner=alice&server=', withSecret);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ state: 'stopped' });
  });

  it('GET /hub/api/proxy says clearly when the proxy is not running, then shows its table', async () => {
    const boss = await cookieOf(hub, 'boss');
    const down = await hub.app.inject({
      url: '/hub/api/proxy',
      headers: { cookie: `coursehub-session=${boss}` },
    });
    expect(down.statusCode).toBe(503);
    expect(down.json().message).toContain('cannot be reached');
    proxy = await startProxyProcess({
      ip: '127.0.0.1',
      port: 0,
      apiIp: '127.0.0.1',
      apiPort: hub.services.config.proxy.apiPort,
      defaultTarget: 'http://127.0.0.1:9',
      apiSecret: secret,
      oracle: async () => ({ allowed: false, user: null }),
      verifySessionCookie: () => null,
    });
    await hub.services.proxy.addUserServer({
      user: 'alice',
      url: 'http://127.0.0.1:4567',
      serverToken: 'tok-123456',
    });
    const up = await hub.app.inject({
      url: '/hub/api/proxy',
      headers: { cookie: `coursehub-session=${boss}` },
    });
    expect(up.statusCode).toBe(200);
    expect(up.json()['/user/alice/']).toMatchObject({
      target: 'http://127.0.0.1:4567',
      data: { user: 'alice' },
    });
    expect(up.body).not.toContain('tok-123456');
    const alice = await cookieOf(hub, 'alice');
    expect(
      (await hub.app.inject({ url: '/hub/api/proxy', headers: { cookie: `coursehub-session=${alice}` } }))
        .statusCode,
    ).toBe(403);
  });
});

describe('hub app with admin_access on', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await buildHub({ adminAccess: true }, true);
  });
  afterAll(async () => closeHub(hub));

  it('lets admins into other servers, and still not other users', async () => {
    const secret = ensureProxySecret(hub.dataDir, {});
    const headers = async (user: string) => ({
      'x-coursehub-proxy-secret': secret,
      'x-coursehub-session-cookie': await cookieOf(hub, user),
    });
    expect((await authorize(hub, 'alice', await headers('boss'))).json()).toEqual({
      allowed: true,
      user: 'boss',
    });
    expect((await authorize(hub, 'alice', await headers('bob'))).json()).toMatchObject({ allowed: false });
  });
});

describe('hub app before any proxy was started', () => {
  it('writes no secret file and lets nobody call the authorize endpoint', async () => {
    const hub = await buildHub({}, false);
    try {
      const alice = await cookieOf(hub, 'alice');
      const response = await authorize(hub, 'alice', {
        'x-coursehub-proxy-secret': 'guess-guess-guess',
        'x-coursehub-session-cookie': alice,
      });
      expect(response.statusCode).toBe(403);
      await hub.services.auth.sessions.revokeAllForUser('alice');
      expect(existsSync(join(hub.dataDir, 'proxy_secret'))).toBe(false);
    } finally {
      await closeHub(hub);
    }
  });
});
