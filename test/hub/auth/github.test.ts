// GitHub OAuth login through the real hub app against test/support/fake-github.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { resolveAuthChoice } from '../../../src/hub/auth/auth-config.js';
import { AuthConfigError } from '../../../src/hub/auth/errors.js';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { FakeGitHub } from '../../support/fake-github.js';
import { Browser, startTestHub, type TestHub } from './hub-fixture.js';

const CALLBACK = 'http://127.0.0.1:8000/hub/oauth_callback';
let github: FakeGitHub;
const hubs: TestHub[] = [];

async function hubWith(settings: Record<string, unknown> = {}): Promise<TestHub> {
  const hub = await startTestHub(
    {
      auth: {
        authenticator: 'github',
        adminContact: 'the TAs',
        github: {
          clientId: 'Iv1.client',
          clientSecret: 'shh-secret',
          callbackUrl: CALLBACK,
          webUrl: github.url,
          apiUrl: github.url,
          ...settings,
        },
      },
    },
    { users: [{ name: 'octocat' }, { name: 'monalisa' }] },
  );
  hubs.push(hub);
  return hub;
}

/** Starts the login in the hub, lets "GitHub" answer, and returns the hub path it redirected to. */
async function throughGitHub(browser: Browser, next = '/hub/home'): Promise<string> {
  const start = await browser.request({ url: `/hub/oauth_login?next=${encodeURIComponent(next)}` });
  expect(start.statusCode).toBe(302);
  const authorize = new URL(String(start.headers.location));
  expect(authorize.origin + authorize.pathname).toBe(`${github.url}/login/oauth/authorize`);
  const answer = await fetch(authorize, { redirect: 'manual' });
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get('location')!);
  return back.pathname + back.search;
}

beforeAll(async () => {
  github = new FakeGitHub({ clientId: 'Iv1.client', clientSecret: 'shh-secret', callbackUrl: CALLBACK });
  await github.start();
  github.addUser('OctoCat', ['acme']);
  github.addUser('monalisa', []);
  github.addUser('stranger', ['acme']);
});
afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await github?.stop();
});

describe('GitHub login', () => {
  it('signs in an allowed user with a lowercased login and lands on next', async () => {
    const hub = await hubWith();
    const login = await new Browser(hub.app).request({ url: '/hub/login' });
    expect(login.body).toContain('Sign in with GitHub');
    const browser = new Browser(hub.app);
    github.signIn('OctoCat');
    const callback = await throughGitHub(browser, '/user/octocat/lab');
    const done = await browser.request({ url: callback });
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/user/octocat/lab');
    const session = await hub.services.auth.sessions.resolve(browser.cookies.get(SESSION_COOKIE_NAME));
    expect(session?.userName).toBe('octocat');
    // The token request carried the app's credentials and asked for JSON, as GitHub documents.
    const tokenRequest = github.requests.findLast((r) => r.path === '/login/oauth/access_token')!;
    expect(tokenRequest.headers.accept).toBe('application/json');
    expect(new URLSearchParams(tokenRequest.body).get('client_secret')).toBe('shh-secret');
  });

  it('refuses a replayed callback (state is single use)', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const callback = await throughGitHub(browser);
    expect((await browser.request({ url: callback })).statusCode).toBe(302);
    const stateCookie = /state=([^&]+)/.exec(callback)![1]!;
    browser.cookies.set('coursehub-oauth-state', stateCookie);
    const replay = await browser.request({ url: callback });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('This sign-in link is not valid');
  });

  it('refuses a wrong state, and a callback finished in another browser', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const callback = await throughGitHub(browser);
    const tampered = callback.replace(/state=[^&]+/, 'state=forged-state');
    const wrong = await browser.request({ url: tampered });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('This sign-in link is not valid');
    // The attacker's browser (no state cookie) cannot finish a login someone else started.
    const victim = new Browser(hub.app);
    const started = await throughGitHub(victim);
    const other = await new Browser(hub.app).request({ url: started });
    expect(other.statusCode).toBe(400);
    expect(other.cookies.find((c) => c.name === SESSION_COOKIE_NAME && c.value)).toBeUndefined();
  });

  it('shows the not-allowed page to a GitHub user who is not a hub user', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.signIn('stranger');
    const done = await browser.request({ url: await throughGitHub(browser) });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('You signed in as <strong>stranger</strong>');
    expect(done.body).toContain('Ask the TAs to add you');
    expect(browser.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
  });

  it('reports the user pressing Cancel on GitHub (access_denied)', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.denyNext();
    const done = await browser.request({ url: await throughGitHub(browser) });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('GitHub did not sign you in: The user has denied your application access.');
  });

  it('reports bad_verification_code for a code GitHub does not know', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const callback = (await throughGitHub(browser)).replace(/code=[^&]+/, 'code=0000');
    const done = await browser.request({ url: callback });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('The code passed is incorrect or expired. (bad_verification_code)');
    expect(done.body).toContain('Start the login again');
  });

  it('reports incorrect_client_credentials when the hub has the wrong secret', async () => {
    const hub = await hubWith({ clientSecret: 'wrong' });
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const done = await browser.request({ url: await throughGitHub(browser) });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('(incorrect_client_credentials)');
    expect(done.body).toContain('tell the administrator');
  });

  it('reports redirect_uri_mismatch when the callback URL is not the registered one', async () => {
    const hub = await hubWith({ callbackUrl: 'http://127.0.0.1:9999/elsewhere' });
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const done = await browser.request({ url: await throughGitHub(browser) });
    expect(done.statusCode).toBe(403);
    expect(done.body).toContain('redirect_uri MUST match the registered callback URL');
  });

  it('reports GitHub refusing the token at /user (401 Bad credentials)', async () => {
    const hub = await hubWith();
    const browser = new Browser(hub.app);
    github.signIn('monalisa');
    const callback = await throughGitHub(browser);
    // Revoke tokens between the token exchange and /user by wrapping fetch once.
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const response = await realFetch(input, init);
      if (String(input).endsWith('/login/oauth/access_token')) {
        github.revokeAllTokens();
        globalThis.fetch = realFetch;
      }
      return response;
    };
    try {
      const done = await browser.request({ url: callback });
      expect(done.statusCode).toBe(403);
      expect(done.body).toContain('GitHub did not tell who you are (HTTP 401: Bad credentials)');
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('with allowed organizations, admits members and refuses others with a clear message', async () => {
    const hub = await hubWith({ allowedOrganizations: ['acme'] });
    const member = new Browser(hub.app);
    github.signIn('OctoCat');
    const ok = await member.request({ url: await throughGitHub(member) });
    expect(ok.statusCode).toBe(302);
    expect(
      new URL(String((await hub.app.inject({ url: '/hub/oauth_login' })).headers.location)).searchParams.get(
        'scope',
      ),
    ).toBe('read:org');
    const outsider = new Browser(hub.app);
    github.signIn('monalisa');
    const refused = await outsider.request({ url: await throughGitHub(outsider) });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('GitHub user monalisa is not a member of acme.');
    expect(outsider.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
  });
});

describe('GitHub configuration', () => {
  const base = { auth: { authenticator: 'github' } };

  it('takes the seed environment variables', () => {
    const choice = resolveAuthChoice(configSchema.parse(base), {
      GITHUB_CLIENT_ID: 'id',
      GITHUB_CLIENT_SECRET: 'secret',
      OAUTH_CALLBACK_URL: 'https://hub.example/hub/oauth_callback',
    });
    expect(choice).toMatchObject({ kind: 'github', options: { clientId: 'id', clientSecret: 'secret' } });
  });

  it('stops the start naming the missing secret', () => {
    const attempt = () =>
      resolveAuthChoice(configSchema.parse(base), {
        GITHUB_CLIENT_ID: 'id',
        OAUTH_CALLBACK_URL: 'https://h/x',
      });
    expect(attempt).toThrow(AuthConfigError);
    expect(attempt).toThrow(/auth\.github\.clientSecret.*GITHUB_CLIENT_SECRET/);
  });
});
