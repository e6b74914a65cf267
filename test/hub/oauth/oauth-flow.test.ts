// The hub as an OAuth2 provider (JupyterHub's /hub/api/oauth2/authorize and /token, rest-api.yml),
// on a real hub: the whole authorization-code flow by a Python client (./oauth_flow.py, with
// Debian's python3-requests-oauthlib) ending in the service calling /hub/api/user with the
// token; then the attacks on it, each refused: another redirect_uri, a code used twice or by
// another client, a wrong secret, PKCE without or with a wrong verifier, a consent form posted
// by another site (no _xsrf), a user without access, a scope the client may not ask for.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../../support/hub.js';

const FLOW = fileURLToPath(new URL('./oauth_flow.py', import.meta.url));
const SECRET = 'whoami-service-token-0123456789abcdef';
const OTHER_SECRET = 'other-service-token-0123456789abcdef';
const ADMINS_SECRET = 'admins-service-token-0123456789abcdef';
const CALLBACK = '/services/whoami/oauth_callback';

let hub: RealHub;

beforeAll(async () => {
  hub = await startRealHub({
    demo: true,
    config: {
      auth: { authenticator: 'dummy' },
      services: [
        {
          name: 'whoami',
          apiToken: SECRET,
          oauthAccess: 'all',
          oauthClientAllowedScopes: ['read:users:activity!user'],
        },
        { name: 'other', apiToken: OTHER_SECRET, oauthAccess: 'all', oauthNoConfirm: true },
        { name: 'admins', apiToken: ADMINS_SECRET },
      ],
    },
  });
}, 60_000);
afterAll(async () => hub?.stop());

const at = (path: string) => new URL(path, hub.url).href;

async function runFlow(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [FLOW], {
    env: { PATH: '/usr/bin:/bin', HUB_URL: hub.url, ...env },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the authorization-code flow with requests-oauthlib', () => {
  // Two users: a second flow of the same user skips the consent page (already granted).
  for (const [auth, name] of [
    ['post', 'student1'],
    ['basic', 'instructor'],
  ] as const) {
    it(`ends with the service seeing the user in /hub/api/user (client auth: ${auth})`, async () => {
      const report = await runFlow({
        CLIENT_ID: 'service-whoami',
        CLIENT_SECRET: SECRET,
        REDIRECT_URI: CALLBACK,
        USER_NAME: name,
        AUTH: auth,
      });
      expect(report.login_status).toBe(302);
      expect(report.consent_status).toBe(200);
      expect(report.consent_scopes).toEqual([`read:users:activity!user=${name}`]);
      expect(report.approve_status).toBe(302);
      expect(report.callback_path).toBe(CALLBACK);
      expect(report.token_type).toBe('Bearer');
      expect(report.expires_in).toEqual(expect.any(Number));
      expect(report.user_status).toBe(200);
      const user = report.user as Record<string, unknown>;
      expect(user).toMatchObject({ kind: 'user', name });
      // rest-api.yml RequestIdentity: session_id a string for an OAuth token, token_id a string.
      expect(user.session_id).toEqual(expect.stringMatching(/^[0-9a-f]{32}$/));
      expect(user.token_id).toEqual(expect.any(String));
      expect(user.scopes).toEqual(
        expect.arrayContaining([
          'access:services!service=whoami',
          `read:users:name!user=${name}`,
          `read:users:activity!user=${name}`,
        ]),
      );
      // Only what was granted: not the user's own full rights (nor an admin's).
      expect(user.scopes).not.toContain(`servers!user=${name}`);
      expect(user.scopes).not.toContain(`tokens!user=${name}`);
      expect(user.scopes).not.toContain('admin:users');
    }, 60_000);
  }
});

interface Browser {
  cookie: string;
  csrf: string;
}

async function logIn(name: string): Promise<Browser> {
  const form = await fetch(at('hub/login'), { redirect: 'manual' });
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(at('hub/login'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
    body: new URLSearchParams({ _xsrf: xsrf, username: name, password: 'x', next: '/hub/home' }).toString(),
  });
  const session = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('coursehub-session='))!
    .split(';')[0]!;
  const home = await fetch(at('hub/home'), { headers: { cookie: session } });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await home.text())![1]!;
  return { cookie: session, csrf };
}

function authorizeUrl(params: Record<string, string>): string {
  return `${at('hub/api/oauth2/authorize')}?${new URLSearchParams({ response_type: 'code', ...params })}`;
}

/** Authorizes as the browser (posting the consent form with its _xsrf); returns the code. */
async function codeFor(browser: Browser, params: Record<string, string>): Promise<string> {
  const url = authorizeUrl(params);
  const page = await fetch(url, { redirect: 'manual', headers: { cookie: browser.cookie } });
  let location = page.headers.get('location');
  if (page.status === 200) {
    await page.body?.cancel();
    const approved = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: browser.csrf }).toString(),
    });
    location = approved.headers.get('location');
  }
  const code = new URL(location!, hub.url).searchParams.get('code');
  expect(code).toEqual(expect.any(String));
  return code!;
}

function exchange(body: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(at('hub/api/oauth2/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ grant_type: 'authorization_code', ...body }).toString(),
  });
}

const whoami = { client_id: 'service-whoami', redirect_uri: CALLBACK };
const whoamiSecret = { client_id: 'service-whoami', client_secret: SECRET, redirect_uri: CALLBACK };

describe('attacks on the provider', () => {
  let student: Browser;
  beforeAll(async () => {
    student = await logIn('student2');
  });

  it('sends nobody anywhere for a redirect_uri that is not exactly the client’s', async () => {
    for (const redirect of [
      'http://evil.example/services/whoami/oauth_callback',
      `${CALLBACK}/../../../evil`,
      `${CALLBACK}x`,
      `${CALLBACK}?next=http://evil.example`,
      `//evil.example${CALLBACK}`,
    ]) {
      const res = await fetch(
        authorizeUrl({ client_id: 'service-whoami', redirect_uri: redirect, state: 's' }),
        {
          redirect: 'manual',
          headers: { cookie: student.cookie },
        },
      );
      expect(res.status, redirect).toBe(400);
      expect(res.headers.get('location'), redirect).toBeNull();
      await res.body?.cancel();
    }
  });

  it('refuses an unknown client without redirecting', async () => {
    const res = await fetch(authorizeUrl({ client_id: 'nobody', redirect_uri: 'http://evil.example/' }), {
      redirect: 'manual',
      headers: { cookie: student.cookie },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });

  it('sends an anonymous browser to the login page, coming back afterwards', async () => {
    const res = await fetch(authorizeUrl(whoami), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/hub\/login\?next=%2Fhub%2Fapi%2Foauth2%2Fauthorize%3F/);
  });

  it('echoes state and refuses a scope the client may not ask for (invalid_scope, to the client)', async () => {
    const res = await fetch(authorizeUrl({ ...whoami, state: 'abc', scope: 'admin:users' }), {
      redirect: 'manual',
      headers: { cookie: student.cookie },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!, hub.url);
    expect(location.pathname).toBe(CALLBACK);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('abc');
  });

  it('refuses a consent form posted without the page’s _xsrf (another site auto-posting it)', async () => {
    const res = await fetch(authorizeUrl(whoami), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: student.cookie,
        origin: 'http://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'scopes=read%3Ausers%3Aactivity%21user',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it('answers a code once: used again it is invalid_grant', async () => {
    const code = await codeFor(student, whoami);
    const first = await exchange({ ...whoamiSecret, code });
    expect(first.status).toBe(200);
    const token = (await first.json()) as Record<string, unknown>;
    expect(token).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.any(String),
      scope: expect.any(String),
    });
    expect(first.headers.get('cache-control')).toBe('no-store');
    const again = await exchange({ ...whoamiSecret, code });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code issued to another client, even with that client’s own good secret', async () => {
    const code = await codeFor(student, whoami);
    // Everything else as the code was issued (its redirect_uri too): only the client differs.
    const res = await exchange({
      client_id: 'service-other',
      client_secret: OTHER_SECRET,
      redirect_uri: CALLBACK,
      code,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong client secret (401 invalid_client) and a different redirect_uri at the token step', async () => {
    const code = await codeFor(student, whoami);
    const wrong = await exchange({ ...whoamiSecret, client_secret: OTHER_SECRET, code });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const code2 = await codeFor(student, whoami);
    const moved = await exchange({
      ...whoamiSecret,
      redirect_uri: '/services/whoami/elsewhere',
      code: code2,
    });
    expect(moved.status).toBe(400);
    expect(await moved.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('holds PKCE (S256): no verifier or a wrong one is invalid_grant, the right one passes', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const pkce = { ...whoami, code_challenge: challenge, code_challenge_method: 'S256' };
    const none = await exchange({ ...whoamiSecret, code: await codeFor(student, pkce) });
    expect(await none.json()).toMatchObject({ error: 'invalid_grant' });
    const wrong = await exchange({
      ...whoamiSecret,
      code: await codeFor(student, pkce),
      code_verifier: randomBytes(32).toString('base64url'),
    });
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const right = await exchange({
      ...whoamiSecret,
      code: await codeFor(student, pkce),
      code_verifier: verifier,
    });
    expect(right.status).toBe(200);
  });

  it('skips the consent page for a trusted service (oauthNoConfirm) and for a client already granted', async () => {
    const trusted = await fetch(
      authorizeUrl({ client_id: 'service-other', redirect_uri: '/services/other/oauth_callback' }),
      { redirect: 'manual', headers: { cookie: student.cookie } },
    );
    expect(trusted.status).toBe(302);
    expect(new URL(trusted.headers.get('location')!, hub.url).searchParams.get('code')).toEqual(
      expect.any(String),
    );
    // student2 exchanged codes of service-whoami above: its tokens cover these scopes.
    const granted = await fetch(authorizeUrl(whoami), {
      redirect: 'manual',
      headers: { cookie: student.cookie },
    });
    expect(granted.status).toBe(302);
  });

  it('lets only holders of access:services into a service that is not open to all users', async () => {
    const res = await fetch(
      authorizeUrl({ client_id: 'service-admins', redirect_uri: '/services/admins/oauth_callback' }),
      { redirect: 'manual', headers: { cookie: student.cookie } },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
    const instructor = await logIn('instructor');
    const ok = await fetch(
      authorizeUrl({ client_id: 'service-admins', redirect_uri: '/services/admins/oauth_callback' }),
      { redirect: 'manual', headers: { cookie: instructor.cookie } },
    );
    expect(ok.status).toBe(200);
  });

  it('revokes the OAuth tokens of a login when it logs out', async () => {
    const browser = await logIn('student3');
    const res = await exchange({ ...whoamiSecret, code: await codeFor(browser, whoami) });
    const { access_token: token } = (await res.json()) as { access_token: string };
    const me = await fetch(at('hub/api/user'), { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    const out = await fetch(at('hub/logout'), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: browser.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: browser.csrf }).toString(),
    });
    expect(out.status).toBeLessThan(400);
    // The revocation runs beside the logout: wait for it (no timing asserted).
    for (;;) {
      const after = await fetch(at('hub/api/user'), { headers: { authorization: `Bearer ${token}` } });
      await after.body?.cancel();
      if (after.status !== 200) {
        expect([401, 403]).toContain(after.status);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});
