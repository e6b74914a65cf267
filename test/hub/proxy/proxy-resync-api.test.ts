// JupyterHub's POST /hub/api/proxy (re-sync the routes now) and PATCH /hub/api/proxy (the proxy
// moved or has a new token), in the real hub app (src/app/build-hub.ts) listening on a port,
// against real proxies (src/hub/proxy/proxy-process.ts) that ask that hub about every visitor.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHub } from '../../../src/app/build-hub.js';
import type { HubServices } from '../../../src/app/services.js';
import { configSchema } from '../../../src/config/schema.js';
import type { DatabaseHandle } from '../../../src/db/database.js';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import type { RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { ensureProxySecret } from '../../../src/hub/proxy/secret.js';
import {
  COOKIE_SECRET,
  databaseWithTestUsers,
  freePort,
  rawRequest,
  startProxyForHub,
  startUserServer,
  type FakeUserServer,
} from './support.js';

const SECOND_SECRET = 'second-proxy-secret-0123456789abcdef';

let dataDir: string;
let handle: DatabaseHandle;
let services: HubServices;
let app: FastifyInstance;
let hubUrl: string;
let firstSecret: string;
const proxies: RunningProxy[] = [];
let aliceServer: FakeUserServer;

async function startProxy(apiPort: number, secret: string): Promise<RunningProxy> {
  const proxy = await startProxyForHub(hubUrl, {
    apiPort,
    apiSecret: secret,
    // Every visit asks the hub, so a test sees at once which secret the hub accepts.
    authTtlMs: 0,
    authMaxStaleMs: 0,
  });
  proxies.push(proxy);
  return proxy;
}

async function tokenHeaders(user: string, scopes?: string[]): Promise<Record<string, string>> {
  const { token } = await services.tokens.create({ user, ...(scopes ? { scopes } : {}) });
  return { authorization: `token ${token}` };
}

async function sessionHeaders(user: string, csrf = true): Promise<Record<string, string>> {
  const session = await services.auth.sessions.create(user);
  return {
    cookie: `coursehub-session=${session.cookieValue}`,
    ...(csrf ? { 'x-xsrf-token': session.csrfToken } : {}),
  };
}

function callProxyApi(method: 'GET' | 'POST' | 'PATCH', headers: Record<string, string>, body?: unknown) {
  return app.inject({
    method,
    url: '/hub/api/proxy',
    headers,
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

/** What alice's server sees of a request alice's browser sends through `proxy`. */
async function throughProxy(
  proxy: RunningProxy,
): Promise<{ status: number; authorization?: string; location?: string; body?: string }> {
  const { cookie = '' } = await sessionHeaders('alice', false);
  const response = await rawRequest(proxy.publicUrl, '/user/alice/api/status', { cookie });
  if (response.status === 302) return { status: 302, location: String(response.headers.location) };
  if (response.status !== 200) return { status: response.status, body: response.body };
  const seen = JSON.parse(response.body) as { headers: Record<string, string> };
  return { status: 200, authorization: seen.headers.authorization };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'coursehub-proxy-resync-'));
  firstSecret = ensureProxySecret(dataDir, {});
  const config = configSchema.parse({
    hub: { dataDir, cookieSecret: COOKIE_SECRET },
    auth: { authenticator: 'dummy' },
    proxy: { apiPort: await freePort() },
  });
  handle = await databaseWithTestUsers();
  ({ app, services } = await buildHub(
    { config, db: handle.db, log: pino({ level: 'silent' }) },
    { auth: { env: {}, print: () => {} } },
  ));
  await app.listen({ host: '127.0.0.1', port: 0 });
  hubUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await startProxy(config.proxy.apiPort, firstSecret);
  aliceServer = await startUserServer('alice');
  // As the server manager does when alice's server is ready.
  await services.proxy.addUserServer({
    user: 'alice',
    url: aliceServer.url,
    serverToken: 'alice-token-0123456789',
  });
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await aliceServer?.close();
  await app?.close();
  await handle?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('who may re-sync or re-point the proxy', () => {
  it('only a caller with the proxy scope: not anonymous, a student, or an admin token without it', async () => {
    const callers: [string, Record<string, string>][] = [
      ['anonymous', {}],
      ["alice's session", await sessionHeaders('alice')],
      ["alice's token", await tokenHeaders('alice')],
      ["the admin's token limited to read:users", await tokenHeaders('boss', ['read:users'])],
      ["the admin's session without the XSRF header", await sessionHeaders('boss', false)],
    ];
    for (const [who, headers] of callers) {
      for (const method of ['POST', 'PATCH'] as const) {
        const response = await callProxyApi(method, headers, method === 'PATCH' ? {} : undefined);
        expect([who, method, response.statusCode]).toEqual([who, method, 403]);
      }
    }
    expect((await callProxyApi('POST', await sessionHeaders('boss'))).statusCode).toBe(200);
    expect((await callProxyApi('POST', await tokenHeaders('boss', ['proxy']))).statusCode).toBe(200);
  });
});

describe('POST /hub/api/proxy', () => {
  it("puts back a lost route (with the server's token), fixes a wrong target, removes a stale route", async () => {
    const proxy = proxies[0]!;
    const direct = new ProxyClient(proxy.apiUrl, firstSecret);
    // Behind the hub's back: alice's route lost, bob's stale route added.
    await direct.deleteRoute('/user/alice/');
    await direct.addRoute('/user/bob/', 'http://127.0.0.1:9', { user: 'bob' });
    // No route: the proxy sends alice to the hub's page for a server that is not running.
    expect(await throughProxy(proxy)).toEqual({ status: 302, location: '/hub/user/alice/api/status' });

    const admin = await tokenHeaders('boss', ['proxy']);
    const response = await callProxyApi('POST', admin);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ added: ['/user/alice/'], removed: ['/user/bob/'] });
    const table = (await callProxyApi('GET', admin)).json() as Record<string, { target: string }>;
    expect(table['/user/alice/']?.target).toBe(aliceServer.url);
    expect(table['/user/bob/']).toBeUndefined();
    expect(await throughProxy(proxy)).toEqual({ status: 200, authorization: 'token alice-token-0123456789' });

    await direct.addRoute('/user/alice/', 'http://127.0.0.1:9', { user: 'alice' });
    expect((await callProxyApi('POST', admin)).json()).toEqual({ added: ['/user/alice/'], removed: [] });
    expect((await throughProxy(proxy)).status).toBe(200);
    // Nothing to do: nothing changes.
    expect((await callProxyApi('POST', admin)).json()).toEqual({ added: [], removed: [] });
  });
});

describe('PATCH /hub/api/proxy', () => {
  it('refuses bad settings with 400 and keeps the old ones', async () => {
    const admin = await tokenHeaders('boss', ['proxy']);
    for (const body of [
      { api_url: 'ftp://127.0.0.1:1' },
      { api_url: 'not a url' },
      { api_url: 'http://user:pw@127.0.0.1:1' },
      { auth_token: 'short' },
      { auth_token: 'has spaces in it 0123456789' },
      { api_url: 'http://127.0.0.1:1', surprise: true },
    ]) {
      const response = await callProxyApi('PATCH', admin, body);
      expect([body, response.statusCode]).toEqual([body, 400]);
    }
    expect((await callProxyApi('GET', admin)).statusCode).toBe(200);
  });

  it('keeps the working proxy when the new one cannot be reached or refuses the token (503)', async () => {
    const admin = await tokenHeaders('boss', ['proxy']);
    const unreachable = await callProxyApi('PATCH', admin, {
      api_url: `http://127.0.0.1:${await freePort()}`,
    });
    expect(unreachable.statusCode).toBe(503);
    expect(unreachable.json().message).toContain('previous proxy settings');
    const refused = await callProxyApi('PATCH', admin, { auth_token: 'a-wrong-but-long-enough-token' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().message).toContain('refused');
    expect((await callProxyApi('GET', admin)).json()['/user/alice/']).toBeDefined();
    expect((await throughProxy(proxies[0]!)).status).toBe(200);
  });

  it('moves the hub to a new proxy with a new token: routes synced there, its visitors let through', async () => {
    const second = await startProxy(0, SECOND_SECRET);
    const admin = await tokenHeaders('boss', ['proxy']);
    // Before: the hub does not know this proxy, and does not answer it about visitors (whom the
    // proxy then cannot let through: 503, "could not confirm your login").
    await new ProxyClient(second.apiUrl, SECOND_SECRET).addRoute('/user/alice/', 'http://127.0.0.1:9', {
      user: 'alice',
    });
    const before = await throughProxy(second);
    expect(before.status).toBe(503);
    expect(before.body).toContain('could not confirm your login');

    const response = await callProxyApi('PATCH', admin, {
      api_url: second.apiUrl,
      auth_token: SECOND_SECRET,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ added: ['/user/alice/'], removed: [] });
    expect(await throughProxy(second)).toEqual({
      status: 200,
      authorization: 'token alice-token-0123456789',
    });
    // The hub's routing table and its route changes now go to the new proxy.
    expect(Object.keys((await callProxyApi('GET', admin)).json())).toEqual(['/', '/user/alice/']);
    await services.proxy.addUserServer({
      user: 'bob',
      url: 'http://127.0.0.1:9',
      serverToken: 'bob-token-0123456789',
    });
    expect(Object.keys(second.routes.describe())).toContain('/user/bob');
    expect(Object.keys(proxies[0]!.routes.describe())).not.toContain('/user/bob');
    // The old proxy's secret no longer opens the hub's authorize endpoint.
    const asOldProxy = await app.inject({
      url: '/hub/api/proxy/authorize?owner=alice',
      headers: { 'x-coursehub-proxy-secret': firstSecret },
    });
    expect(asOldProxy.statusCode).toBe(403);
    await services.proxy.deleteUserServer('bob');
  });

  it('is documented in the OpenAPI description, with the proxy scope', async () => {
    const doc = (await app.inject({ url: '/hub/api/openapi.json' })).json();
    for (const method of ['get', 'post', 'patch'])
      expect(doc.paths['/hub/api/proxy'][method]['x-scopes']).toEqual(['proxy']);
  });
});
