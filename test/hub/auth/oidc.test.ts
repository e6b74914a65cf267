// OpenID Connect login through the real hub app against a real provider (oidc-provider) on
// loopback: discovery, authorization code with PKCE (S256), state, nonce, username claim.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { Browser, startTestHub, type TestHub } from './hub-fixture.js';

const CALLBACK = 'http://127.0.0.1:8000/hub/oauth_callback';
let server: Server;
let issuer: string;
const hubs: TestHub[] = [];
/** Token requests the provider received, to check the PKCE verifier was sent. */
const tokenRequests: string[] = [];

async function hubWith(oidc: Record<string, unknown> = {}): Promise<TestHub> {
  const hub = await startTestHub(
    {
      auth: {
        authenticator: 'oidc',
        oidc: {
          issuer,
          clientId: 'coursehub',
          clientSecret: 'oidc-secret',
          callbackUrl: CALLBACK,
          buttonLabel: 'Campus ID',
          ...oidc,
        },
      },
    },
    { users: [{ name: 'alice' }] },
  );
  hubs.push(hub);
  return hub;
}

/**
 * Plays the user at the provider: follows redirects with the provider's cookies, signs in on its
 * development login form as `login`, consents, and returns the hub callback path it ends at.
 */
async function signInAtProvider(authorizeUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      body,
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(CALLBACK)) return next.pathname + next.search;
      url = next.href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (!action)
      throw new Error(`provider page without a form (HTTP ${response.status}):\n${page.slice(0, 800)}`);
    url = new URL(action, url).href;
    method = 'POST';
    body = page.includes('name="login"')
      ? new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString()
      : new URLSearchParams({ prompt: 'consent' }).toString();
  }
  throw new Error('too many steps at the provider');
}

beforeAll(async () => {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.end();
  server = createServer((req, res) => {
    if (req.url?.startsWith('/token')) tokenRequests.push('');
    const chunks: Buffer[] = [];
    if (req.url?.startsWith('/token')) {
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => (tokenRequests[tokenRequests.length - 1] = Buffer.concat(chunks).toString()));
    }
    handler!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'coursehub',
        client_secret: 'oidc-secret',
        redirect_uris: [CALLBACK],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, preferred_username: sub, name: `User ${sub}` }) };
    },
    cookies: { keys: ['test-only-cookie-key'] },
  });
  handler = provider.callback();
});
afterAll(async () => {
  for (const hub of hubs) await hub.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('OIDC login', () => {
  it('signs in through discovery, PKCE, state and nonce, with the username claim lowercased', async () => {
    const hub = await hubWith();
    expect((await new Browser(hub.app).request({ url: '/hub/login' })).body).toContain(
      'Sign in with Campus ID',
    );
    const browser = new Browser(hub.app);
    const start = await browser.request({ url: '/hub/oauth_login?next=/user/alice/tree' });
    expect(start.statusCode).toBe(302);
    const authorize = new URL(String(start.headers.location));
    expect(authorize.origin).toBe(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const callback = await signInAtProvider(authorize.href, 'Alice');
    const done = await browser.request({ url: callback });
    expect(done.body).toBe('');
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/user/alice/tree');
    expect(
      (await hub.services.auth.sessions.resolve(browser.cookies.get(SESSION_COOKIE_NAME)))?.userName,
    ).toBe('alice');
    expect(new URLSearchParams(tokenRequests.at(-1)).get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
  });

  it('refuses a replayed callback', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    const start = await browser.request({ url: '/hub/oauth_login' });
    const callback = await signInAtProvider(String(start.headers.location), 'alice');
    expect((await browser.request({ url: callback })).statusCode).toBe(302);
    browser.cookies.set('coursehub-oauth-state', new URL(callback, 'http://x').searchParams.get('state')!);
    const replay = await browser.request({ url: callback });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('This sign-in link is not valid');
  });

  it('shows the not-allowed page to a provider user who is not a hub user', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    const start = await browser.request({ url: '/hub/oauth_login' });
    const done = await browser.request({
      url: await signInAtProvider(String(start.headers.location), 'mallory'),
    });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('You signed in as <strong>mallory</strong>');
  });

  it('says which claim is missing when the provider does not send it', async () => {
    const hub = await hubWith({ usernameClaim: 'email' });
    const browser = new Browser(hub.app);
    const start = await browser.request({ url: '/hub/oauth_login' });
    const done = await browser.request({
      url: await signInAtProvider(String(start.headers.location), 'alice'),
    });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('did not send the &quot;email&quot; claim');
  });

  it('refuses a tampered authorization code with a clear page', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    const start = await browser.request({ url: '/hub/oauth_login' });
    const callback = (await signInAtProvider(String(start.headers.location), 'alice')).replace(
      /code=[^&]+/,
      'code=forged',
    );
    const done = await browser.request({ url: callback });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('The login provider did not sign you in');
    expect(browser.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
  });

  it('says so when the provider cannot be reached', async () => {
    const hub = await hubWith({ issuer: 'http://127.0.0.1:1' });
    const start = await new Browser(hub.app).request({ url: '/hub/oauth_login' });
    expect(start.statusCode).toBe(502);
    expect(start.body).toContain('Could not reach the login provider at http://127.0.0.1:1.');
  });
});
