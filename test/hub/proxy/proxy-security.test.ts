// The proxy in front of real user servers (http + ws) and a real hub app: who gets through,
// what the user server sees, and the path / Host / token tricks that must not work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import type { RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import {
  PROXY_SECRET,
  freePort,
  nextMessage,
  openWebSocket,
  rawRequest,
  rawUpgradeStatus,
  startProxyForHub,
  startTestHub,
  startUserServer,
  type FakeUserServer,
  type TestHub,
} from './support.js';

const ALICE_SERVER_TOKEN = 'alice-jupyter-token-0123456789abcdef';
const BOB_SERVER_TOKEN = 'bob-jupyter-token-0123456789abcdef';

let proxy: RunningProxy;
let hub: TestHub;
let alice: FakeUserServer;
let bob: FakeUserServer;
let client: ProxyClient;
let aliceCookie: string;
let bobCookie: string;
let adminCookie: string;

const session = (cookie: string) => ({ cookie: `coursehub-session=${cookie}; _xsrf=abc; other=1` });

beforeAll(async () => {
  const hubPort = await freePort();
  proxy = await startProxyForHub(`http://127.0.0.1:${hubPort}`, { authTtlMs: 60_000 });
  hub = await startTestHub({ proxyApiUrl: proxy.apiUrl, port: hubPort });
  alice = await startUserServer('alice');
  bob = await startUserServer('bob');
  client = new ProxyClient(proxy.apiUrl, PROXY_SECRET);
  await client.addUserServer({ user: 'alice', url: alice.url, serverToken: ALICE_SERVER_TOKEN });
  await client.addUserServer({ user: 'bob', url: bob.url, serverToken: BOB_SERVER_TOKEN });
  aliceCookie = (await hub.login('alice')).cookie;
  bobCookie = (await hub.login('bob')).cookie;
  adminCookie = (await hub.login('root-admin')).cookie;
});

afterAll(async () => {
  await proxy?.close();
  await hub?.close();
  await alice?.close();
  await bob?.close();
});

function aliceSawNothingSince(count: number): void {
  expect(alice.seen.slice(count)).toEqual([]);
}

describe('proxy API', () => {
  it('refuses calls without the secret or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'token wrong' },
      { authorization: `bearer ${PROXY_SECRET}x` },
    ];
    for (const headers of attempts) {
      const response = await rawRequest(proxy.apiUrl, '/api/routes', headers);
      expect(response.status).toBe(403);
      expect(response.body).not.toContain('/user/alice');
    }
    const add = await rawRequest(
      proxy.apiUrl,
      '/api/routes/user/mallory',
      { authorization: 'token nope' },
      'POST',
    );
    expect(add.status).toBe(403);
    expect(Object.keys(await client.getRoutes())).not.toContain('/user/mallory');
  });

  it('lists routes with owner and last_activity, never the server token', async () => {
    const routes = await client.getRoutes();
    expect(routes['/user/alice']).toMatchObject({ target: alice.url, user: 'alice' });
    expect(Date.parse(routes['/user/alice']!.last_activity)).not.toBeNaN();
    expect(JSON.stringify(routes)).not.toContain(ALICE_SERVER_TOKEN);
    expect(routes['/']).toMatchObject({ target: hub.url });
  });

  it('adds, filters by inactive_since and deletes routes', async () => {
    await client.addRoute('/services/x/', 'http://127.0.0.1:9/');
    const before = new Date(Date.now() + 1000);
    expect(Object.keys(await client.getRoutes(before))).toContain('/services/x');
    expect(Object.keys(await client.getRoutes(new Date(0)))).toEqual([]);
    await client.deleteRoute('/services/x/');
    expect(Object.keys(await client.getRoutes())).not.toContain('/services/x');
  });

  it('refuses a route whose user does not match its path, and a non-http target', async () => {
    await expect(client.addRoute('/user/bob/', alice.url, { user: 'alice' })).rejects.toThrow(
      /belongs to bob/,
    );
    await expect(client.addRoute('/user/zed/', 'file:///etc/passwd')).rejects.toThrow(/http:\/\//);
  });
});

describe('HTTP through the proxy', () => {
  it('lets alice into her server, adds the server token, strips the hub cookies', async () => {
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree?x=1', session(aliceCookie));
    expect(response.status).toBe(200);
    const seen = alice.seen.at(-1)!;
    expect(seen.url).toBe('/user/alice/tree?x=1');
    expect(seen.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
    expect(seen.headers.cookie).toBe('_xsrf=abc; other=1');
    expect(String(seen.headers['x-forwarded-for'])).toContain('127.0.0.1');
    expect(JSON.stringify(response.headers)).not.toContain(ALICE_SERVER_TOKEN);
  });

  it('keeps a user server from setting hub cookies in the browser', async () => {
    const response = await rawRequest(proxy.publicUrl, '/user/alice/set-cookies', session(aliceCookie));
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toEqual(['alice-own=1; Path=/user/alice/']);
  });

  it('keeps a user server from setting a nameless cookie, which the browser sends back bare', async () => {
    const response = await rawRequest(
      proxy.publicUrl,
      '/user/alice/set-nameless-cookies',
      session(aliceCookie),
    );
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toEqual(['alice-own=2; Path=/user/alice/']);
  });

  it("refuses bob's session at alice's server", async () => {
    const count = alice.seen.length;
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', session(bobCookie));
    expect(response.status).toBe(403);
    expect(response.body).toContain("alice's server");
    const post = await rawRequest(proxy.publicUrl, '/user/alice/api/contents', session(bobCookie), 'POST');
    expect(post.status).toBe(403);
    aliceSawNothingSince(count);
  });

  it('sends the anonymous to the login page, and refuses their API calls', async () => {
    const count = alice.seen.length;
    const get = await rawRequest(proxy.publicUrl, '/user/alice/tree?a=b');
    expect(get.status).toBe(302);
    expect(get.headers.location).toBe(`/hub/login?next=${encodeURIComponent('/user/alice/tree?a=b')}`);
    expect((await rawRequest(proxy.publicUrl, '/user/alice/api/x', {}, 'PUT')).status).toBe(403);
    const forged = await rawRequest(
      proxy.publicUrl,
      '/user/alice/tree',
      session(`${aliceCookie.split('.')[0]}.forged`),
    );
    expect(forged.status).toBe(302);
    aliceSawNothingSince(count);
  });

  it('refuses guessed tokens and the server token reused by someone else', async () => {
    const count = alice.seen.length;
    for (const token of ['guess', ALICE_SERVER_TOKEN, aliceCookie]) {
      const response = await rawRequest(proxy.publicUrl, '/user/alice/api/status', {
        authorization: `token ${token}`,
      });
      // Nobody's token: treated as no login at all.
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe(
        `/hub/login?next=${encodeURIComponent('/user/alice/api/status')}`,
      );
    }
    aliceSawNothingSince(count);
  });

  it("passes the owner's hub API token with access:servers, and refuses others' tokens", async () => {
    const { token: aliceToken } = await hub.tokens.create({
      user: 'alice',
      scopes: ['access:servers!user=alice'],
    });
    const { token: aliceNarrow } = await hub.tokens.create({
      user: 'alice',
      scopes: ['read:users!user=alice'],
    });
    const { token: bobToken } = await hub.tokens.create({ user: 'bob' });
    const ok = await rawRequest(proxy.publicUrl, '/user/alice/api/status', {
      authorization: `token ${aliceToken}`,
    });
    expect(ok.status).toBe(200);
    expect(alice.seen.at(-1)!.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
    const count = alice.seen.length;
    for (const token of [aliceNarrow, bobToken]) {
      const response = await rawRequest(proxy.publicUrl, '/user/alice/api/status', {
        authorization: `bearer ${token}`,
      });
      expect(response.status).toBe(403);
    }
    aliceSawNothingSince(count);
    expect(
      (await rawRequest(proxy.publicUrl, '/user/bob/api/status', { authorization: `token ${bobToken}` }))
        .status,
    ).toBe(200);
  });

  it('refuses admins at other servers when admin_access is off', async () => {
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', session(adminCookie));
    expect(response.status).toBe(403);
  });

  it('sends a visitor of a stopped server to the hub page that offers to start it', async () => {
    const get = await rawRequest(proxy.publicUrl, '/user/carol/notebooks/a.ipynb?k=1', session(bobCookie));
    expect(get.status).toBe(302);
    expect(get.headers.location).toBe('/hub/user/carol/notebooks/a.ipynb?k=1');
    const post = await rawRequest(proxy.publicUrl, '/user/carol/api/kernels', session(bobCookie), 'POST');
    expect(post.status).toBe(503);
    expect(post.body).toContain("carol's server is not running");
  });

  it('sets X-Forwarded-For/Proto/Host/Port from the connection, whatever the client sent', async () => {
    const forged = {
      'x-forwarded-for': '6.6.6.6',
      'X-Forwarded-Proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-port': '1',
      forwarded: 'for=6.6.6.6;proto=https',
      'x-real-ip': '6.6.6.6',
    };
    const proxyPort = new URL(proxy.publicUrl).port;
    const expected = {
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': `127.0.0.1:${proxyPort}`,
      'x-forwarded-port': proxyPort,
    };
    // GET takes the fast lane, POST node:http's, the websocket its own forwarder.
    for (const method of ['GET', 'POST']) {
      const response = await rawRequest(
        proxy.publicUrl,
        '/user/alice/tree',
        { ...session(aliceCookie), ...forged },
        method,
      );
      expect(response.status).toBe(200);
      const seen = alice.seen.at(-1)!.headers;
      expect(seen, method).toMatchObject(expected);
      expect(seen.forwarded, method).toBeUndefined();
      expect(seen['x-real-ip'], method).toBeUndefined();
    }
    const { socket, first } = await openWebSocket(
      `${proxy.publicUrl.replace('http:', 'ws:')}/user/alice/api/kernels/k1/channels`,
      { ...session(aliceCookie), ...forged, origin: proxy.publicUrl },
    );
    expect(first.headers).toMatchObject(expected);
    socket.close();
    // The hub's own requests (its per-IP login limit reads X-Forwarded-For) likewise.
    const toHub = await rawRequest(proxy.publicUrl, '/hub/home', forged);
    expect(toHub.status).toBe(200);
  });

  it("drops the proxy's own x-coursehub-* headers when a client sends them", async () => {
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', {
      ...session(aliceCookie),
      'x-coursehub-proxy-secret': PROXY_SECRET,
      'x-coursehub-api-token': 'forged',
    });
    expect(response.status).toBe(200);
    const seen = alice.seen.at(-1)!.headers;
    expect(seen['x-coursehub-proxy-secret']).toBeUndefined();
    expect(seen['x-coursehub-api-token']).toBeUndefined();
  });

  it('forwards everything else to the hub unchanged', async () => {
    const response = await rawRequest(proxy.publicUrl, '/hub/home', session(bobCookie));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ hub: true, url: '/hub/home' });
  });
});

describe('path and Host tricks (bob, with his own valid session, aiming at alice)', () => {
  const tricks = [
    '/user/bob/../alice/tree',
    '/user/bob/%2e%2e/alice/tree',
    '/user/bob/%2E%2E/alice/tree',
    '/user/bob/.%2e/alice/tree',
    '/user/bob%2f..%2falice/tree',
    '/user/bob/..%2Falice/tree',
    '/user/bob/..%5calice/tree',
    '/user/bob/..\\alice/tree',
    '/user\\alice/tree',
    '//user/alice/tree',
    '/user//alice/tree',
    '/user/bob//../alice/tree',
    '/user/./alice/tree',
    '/user/alice%00/tree',
    '/user/bob/%zz/../alice',
    'http://127.0.0.1/user/alice/tree',
  ];
  for (const path of tricks) {
    it(`refuses ${path}`, async () => {
      const count = alice.seen.length;
      const asBob = await rawRequest(proxy.publicUrl, path, session(bobCookie));
      expect(asBob.status).toBe(400);
      // Refused as a path, not just for bob: alice herself gets the same answer.
      const asAlice = await rawRequest(proxy.publicUrl, path, session(aliceCookie));
      expect(asAlice.status).toBe(400);
      aliceSawNothingSince(count);
    });
  }

  it("matches encoded letters as the letters they are (so /user/%61lice/ is alice's)", async () => {
    const count = alice.seen.length;
    expect((await rawRequest(proxy.publicUrl, '/user/%61lice/tree', session(bobCookie))).status).toBe(403);
    aliceSawNothingSince(count);
    expect((await rawRequest(proxy.publicUrl, '/user/%61lice/tree', session(aliceCookie))).status).toBe(200);
    expect(alice.seen.at(-1)!.url).toBe('/user/alice/tree');
  });

  it('is not fooled by a crafted Host header', async () => {
    const count = alice.seen.length;
    for (const host of ['alice.localhost', '127.0.0.1', 'localhost:8000']) {
      const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', { ...session(bobCookie), host });
      expect(response.status).toBe(403);
    }
    for (const host of ['127.0.0.1/user/alice', 'evil@127.0.0.1', '127.0.0.1:80/../user/alice', 'a b']) {
      const response = await rawRequest(proxy.publicUrl, '/user/bob/tree', { ...session(bobCookie), host });
      expect(response.status).toBe(400);
    }
    aliceSawNothingSince(count);
  });
});

describe('websockets through the proxy', () => {
  const wsUrl = (path: string) => proxy.publicUrl.replace('http:', 'ws:') + path;

  it("carries alice's kernel websocket, with the server token and without hub cookies", async () => {
    const { socket, first } = await openWebSocket(
      wsUrl('/user/alice/api/kernels/k1/channels?session_id=s'),
      session(aliceCookie),
    );
    const headers = first.headers as Record<string, string>;
    expect(first.url).toBe('/user/alice/api/kernels/k1/channels?session_id=s');
    expect(headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
    expect(headers.cookie).toBe('_xsrf=abc; other=1');
    socket.send('1+1');
    expect(await nextMessage(socket)).toBe('echo:1+1');
    socket.close();
  });

  it("refuses bob's session, no session, guessed tokens and path tricks", async () => {
    const count = alice.seen.length;
    await expect(
      openWebSocket(wsUrl('/user/alice/api/kernels/k1/channels'), session(bobCookie)),
    ).rejects.toThrow('HTTP 403');
    await expect(openWebSocket(wsUrl('/user/alice/api/kernels/k1/channels'))).rejects.toThrow('HTTP 403');
    await expect(
      openWebSocket(wsUrl('/user/alice/api/kernels/k1/channels'), {
        authorization: `token ${ALICE_SERVER_TOKEN}`,
      }),
    ).rejects.toThrow('HTTP 403');
    for (const path of [
      '/user/bob/../alice/api/kernels/k1/channels',
      '/user/bob/%2e%2e/alice/api/kernels/k1/channels',
      '/user/bob/..%2falice/api/kernels/k1/channels',
      '//user/alice/api/kernels/k1/channels',
      '/user\\alice/api/kernels/k1/channels',
    ]) {
      expect(await rawUpgradeStatus(proxy.publicUrl, path, session(bobCookie))).toBe(400);
    }
    expect(
      await rawUpgradeStatus(proxy.publicUrl, '/user/alice/api/kernels/k1/channels', session(bobCookie)),
    ).toBe(403);
    expect(
      await rawUpgradeStatus(proxy.publicUrl, '/user/%61lice/api/kernels/k1/channels', session(bobCookie)),
    ).toBe(403);
    await expect(
      openWebSocket(wsUrl('/user/alice/api/kernels/k1/channels'), {
        ...session(bobCookie),
        host: 'alice.localhost',
      }),
    ).rejects.toThrow('HTTP 403');
    aliceSawNothingSince(count);
  });

  it('records websocket traffic as route activity', async () => {
    const { socket } = await openWebSocket(
      wsUrl('/user/alice/api/kernels/k2/channels'),
      session(aliceCookie),
    );
    const mark = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.send('ping');
    await nextMessage(socket);
    expect(Object.keys(await client.getRoutes(mark))).not.toContain('/user/alice');
    socket.close();
  });
});

describe('revocation and the hub-side endpoints', () => {
  it('a logout closes the proxy at once, before the cache would expire', async () => {
    const { cookie, sessionId } = await hub.login('alice');
    expect((await rawRequest(proxy.publicUrl, '/user/alice/tree', session(cookie))).status).toBe(200);
    await hub.sessions.revoke(sessionId);
    // The hub pushes the revocation asynchronously; wait until the proxy has heard it.
    for (let i = 0; i < 50 && proxy.gate.size > 0; i++) {
      const response = await rawRequest(proxy.publicUrl, '/user/alice/tree', session(cookie));
      if (response.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await rawRequest(proxy.publicUrl, '/user/alice/tree', session(cookie))).status).toBe(302);
  });

  it('the authorize endpoint refuses callers without the proxy secret', async () => {
    const response = await rawRequest(hub.url, '/hub/api/proxy/authorize?owner=alice', {
      'x-coursehub-session-cookie': aliceCookie,
    });
    expect(response.status).toBe(403);
    const wrong = await rawRequest(hub.url, '/hub/api/proxy/authorize?owner=alice', {
      'x-coursehub-session-cookie': aliceCookie,
      'x-coursehub-proxy-secret': 'wrong',
    });
    expect(wrong.status).toBe(403);
  });

  it('GET /hub/api/proxy shows admins the routing table without tokens, and nobody else', async () => {
    const asAdmin = await rawRequest(hub.url, '/hub/api/proxy', {
      cookie: `coursehub-session=${adminCookie}`,
    });
    expect(asAdmin.status).toBe(200);
    const table = JSON.parse(asAdmin.body) as Record<
      string,
      { target: string; data: Record<string, unknown> }
    >;
    expect(table['/user/alice/']).toMatchObject({
      routespec: '/user/alice/',
      target: alice.url,
      data: { user: 'alice' },
    });
    expect(asAdmin.body).not.toContain(ALICE_SERVER_TOKEN);
    expect(
      (await rawRequest(hub.url, '/hub/api/proxy', { cookie: `coursehub-session=${aliceCookie}` })).status,
    ).toBe(403);
    expect((await rawRequest(hub.url, '/hub/api/proxy')).status).toBe(403);
  });
});
