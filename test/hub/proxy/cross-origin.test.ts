// Cross-site requests to users' servers (issue 11, item 1): the proxy adds the server's own token
// on the way in, and Jupyter skips its XSRF and websocket-origin checks for token-authenticated
// requests, so the proxy itself must refuse any request that changes something, and any
// websocket, that a browser sent for another site with the user's session cookie. A request
// authenticated by an explicit token (a script's) is not a browser's and passes. And where the
// browser holds Jupyter's own login cookie, the proxy leaves such requests cookie-authenticated,
// so Jupyter's own XSRF and origin checks run too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_REFUSAL } from '../../../src/hub/auth/csrf.js';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import type { RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import {
  PROXY_SECRET,
  freePort,
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
const PUBLIC_URL = 'https://hub.example.edu';

let proxy: RunningProxy;
let hub: TestHub;
let alice: FakeUserServer;
let aliceCookie: string;
let aliceToken: string;
/** The hub's own origin as a browser on the proxy's port sees it, e.g. http://127.0.0.1:41234. */
let own: string;
let port: string;

beforeAll(async () => {
  const hubPort = await freePort();
  proxy = await startProxyForHub(`http://127.0.0.1:${hubPort}`, { publicUrl: PUBLIC_URL });
  hub = await startTestHub({ proxyApiUrl: proxy.apiUrl, port: hubPort });
  alice = await startUserServer('alice');
  await new ProxyClient(proxy.apiUrl, PROXY_SECRET).addUserServer({
    user: 'alice',
    url: alice.url,
    serverToken: ALICE_SERVER_TOKEN,
  });
  aliceCookie = (await hub.login('alice')).cookie;
  aliceToken = (await hub.tokens.create({ user: 'alice', scopes: ['access:servers!user=alice'] })).token;
  own = proxy.publicUrl;
  port = new URL(own).port;
});

afterAll(async () => {
  await proxy?.close();
  await hub?.close();
  await alice?.close();
});

const session = () => ({ cookie: `coursehub-session=${aliceCookie}; _xsrf=2|aa|bb|1` });
/** Jupyter's own login cookie for this Host, as the notebook names it (username-HOST, dashed). */
const jupyterLogin = () => `username-127-0-0-1-${port}=2|notebook-login-cookie`;

function sawNothingSince(count: number): void {
  expect(alice.seen.slice(count).map((r) => `${r.method} ${r.url}`)).toEqual([]);
}

describe("requests that change something on a user's server, with the session cookie", () => {
  const otherOrigins = () => [
    `http://127.0.0.1:${Number(port) + 1}`, // another port of the same host: the attack seen
    `http://localhost:${port}`, // another name for the same host is another origin
    `https://127.0.0.1:${port}`,
    'http://hub.example.edu', // the public name, but not its scheme
    'https://evil.example',
    'null', // sandboxed frames, file: pages
  ];

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`${method} from another origin is refused (403) and never reaches the server`, async () => {
      for (const origin of otherOrigins()) {
        const count = alice.seen.length;
        const response = await rawRequest(
          proxy.publicUrl,
          '/user/alice/api/terminals',
          { ...session(), origin, accept: 'application/json' },
          method,
        );
        expect([origin, response.status]).toEqual([origin, 403]);
        expect(JSON.parse(response.body)).toEqual({
          status: 403,
          message: expect.stringContaining(`came from ${origin}, not from the hub's own pages`),
        });
        sawNothingSince(count);
      }
    });
  }

  it('without Origin, is refused when Sec-Fetch-Site says another site sent it', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      const count = alice.seen.length;
      const response = await rawRequest(
        proxy.publicUrl,
        '/user/alice/api/contents/x.ipynb',
        { ...session(), 'sec-fetch-site': site },
        'PUT',
      );
      expect([site, response.status]).toEqual([site, 403]);
      expect(response.body).toContain(`Sec-Fetch-Site: ${site}`);
      sawNothingSince(count);
    }
  });

  it("passes from the hub's own origin (the Host used, or hub.publicUrl), and same-origin fetches", async () => {
    const variants: Record<string, string>[] = [
      { origin: own },
      { origin: own.toUpperCase().replace('HTTP', 'http') },
      { origin: PUBLIC_URL },
      { 'sec-fetch-site': 'same-origin' },
      {}, // neither header: not a browser (a script with the cookie); browsers always send one
    ];
    for (const headers of variants) {
      const response = await rawRequest(
        proxy.publicUrl,
        '/user/alice/api/kernels',
        { ...session(), ...headers },
        'POST',
      );
      expect([headers, response.status]).toEqual([headers, 200]);
      expect(alice.seen.at(-1)).toMatchObject({ method: 'POST', url: '/user/alice/api/kernels' });
    }
  });

  it('reads (GET, HEAD, OPTIONS) pass from anywhere: browsers omit Origin on some, and they change nothing', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const response = await rawRequest(
        proxy.publicUrl,
        '/user/alice/tree',
        { ...session(), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        method,
      );
      expect([method, response.status]).toEqual([method, 200]);
    }
  });

  it("leaves the hub's own paths to the hub's own CSRF check", async () => {
    const response = await rawRequest(
      proxy.publicUrl,
      '/hub/api/users',
      { ...session(), origin: 'https://evil.example' },
      'POST',
    );
    // Refused by the hub (no XSRF token), not by the proxy.
    expect(response.status).toBe(403);
    expect(response.body).toContain(CSRF_REFUSAL);
  });
});

describe('requests with an explicit token (scripts, other tools)', () => {
  it('pass from any origin with Authorization: token T, the server token replacing it', async () => {
    const response = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/terminals',
      { authorization: `token ${aliceToken}`, origin: 'https://evil.example' },
      'POST',
    );
    expect(response.status).toBe(200);
    expect(alice.seen.at(-1)!.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
  });

  it('pass with ?token=T, which the server never sees (other parameters kept as sent)', async () => {
    const response = await rawRequest(
      proxy.publicUrl,
      `/user/alice/api/contents/a%20b.ipynb?x=1&token=${aliceToken}&y=%2F+z&token=${aliceToken}`,
      { origin: 'https://evil.example' },
      'PUT',
    );
    expect(response.status).toBe(200);
    const seen = alice.seen.at(-1)!;
    expect(seen.url).toBe('/user/alice/api/contents/a%20b.ipynb?x=1&y=%2F+z');
    expect(seen.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
    expect(JSON.stringify(seen)).not.toContain(aliceToken);
  });

  it('a ?token= that is nobody’s does not make a session request pass as a token request', async () => {
    const count = alice.seen.length;
    const response = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/terminals?token=made-up',
      { ...session(), origin: 'https://evil.example' },
      'POST',
    );
    expect(response.status).toBe(403);
    sawNothingSince(count);
  });

  it('a bad ?token= on a page sends the browser to log in, without the token in `next`', async () => {
    const response = await rawRequest(proxy.publicUrl, '/user/alice/tree?a=1&token=made-up');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe(`/hub/login?next=${encodeURIComponent('/user/alice/tree?a=1')}`);
  });
});

describe("Jupyter's own checks as a second line", () => {
  it("a browser holding Jupyter's login cookie sends its writes cookie-authenticated: no server token", async () => {
    const cookie = `coursehub-session=${aliceCookie}; _xsrf=2|aa|bb|1; ${jupyterLogin()}`;
    const post = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/contents',
      { cookie, origin: own, 'x-xsrftoken': '2|aa|bb|1' },
      'POST',
    );
    expect(post.status).toBe(200);
    const seen = alice.seen.at(-1)!.headers;
    expect(seen.authorization).toBeUndefined();
    expect(seen.cookie).toBe(`_xsrf=2|aa|bb|1; ${jupyterLogin()}`);
    expect(seen.origin).toBe(own);
    // Reads still carry the server token (they set Jupyter's login cookie in the first place).
    expect((await rawRequest(proxy.publicUrl, '/user/alice/tree', { cookie })).status).toBe(200);
    expect(alice.seen.at(-1)!.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
  });

  it('behind a TLS front that rewrites Host, hands on the Origin Jupyter compares with Host (checked first)', async () => {
    const cookie = `coursehub-session=${aliceCookie}; ${jupyterLogin()}`;
    const post = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/contents',
      { cookie, origin: PUBLIC_URL },
      'POST',
    );
    expect(post.status).toBe(200);
    expect(alice.seen.at(-1)!.headers.origin).toBe(own);
    // Any other origin is refused, not rewritten.
    const other = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/contents',
      { cookie, origin: 'https://evil.example' },
      'POST',
    );
    expect(other.status).toBe(403);
  });

  it('a browser without it (its first write) still gets the server token added', async () => {
    const post = await rawRequest(
      proxy.publicUrl,
      '/user/alice/api/contents',
      { ...session(), origin: own },
      'POST',
    );
    expect(post.status).toBe(200);
    expect(alice.seen.at(-1)!.headers.authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
  });
});

describe('websockets', () => {
  const ws = (path: string) => proxy.publicUrl.replace('http:', 'ws:') + path;

  it('from another origin with the session cookie: refused (403), never reaching the server', async () => {
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, 'null', 'https://evil.example']) {
      const count = alice.seen.length;
      expect(
        await rawUpgradeStatus(proxy.publicUrl, '/user/alice/terminals/websocket/1', {
          ...session(),
          origin,
        }),
      ).toBe(403);
      sawNothingSince(count);
    }
    const count = alice.seen.length;
    expect(
      await rawUpgradeStatus(proxy.publicUrl, '/user/alice/api/kernels/k/channels', {
        ...session(),
        'sec-fetch-site': 'same-site',
      }),
    ).toBe(403);
    sawNothingSince(count);
  });

  it("from the hub's own origin: carried, cookie-authenticated when Jupyter's login cookie is there", async () => {
    const cookie = `coursehub-session=${aliceCookie}; ${jupyterLogin()}`;
    const { socket, first } = await openWebSocket(ws('/user/alice/api/kernels/k/channels'), {
      cookie,
      origin: own,
    });
    const headers = first.headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers.origin).toBe(own);
    socket.close();
  });

  it('with an explicit token, from any origin: carried, with the server token', async () => {
    const { socket, first } = await openWebSocket(
      ws(`/user/alice/api/kernels/k/channels?token=${aliceToken}`),
      {
        origin: 'https://evil.example',
      },
    );
    expect((first.headers as Record<string, string>).authorization).toBe(`token ${ALICE_SERVER_TOKEN}`);
    expect(first.url).toBe('/user/alice/api/kernels/k/channels');
    socket.close();
  });
});
