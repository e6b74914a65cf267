// JupyterHub's XSRF names (the `_xsrf` cookie, the `_xsrf` field, the X-XSRFToken and
// X-CSRFToken headers) work as JupyterHub clients use them, and do not weaken the check: the value
// presented must still be the session's own token (or, before login, the login form's httpOnly
// cookie), so a cross-site form without it fails, and so does a `_xsrf` cookie planted by someone
// else with a matching header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestHub, type TestHub } from './hub-fixture.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub(
    { hub: { ip: '127.0.0.1' }, auth: { authenticator: 'dummy' } },
    { users: [{ name: 'alice' }, { name: 'mallory' }] },
  );
});
afterAll(async () => hub?.close());

function setCookie(response: { headers: Record<string, unknown> }, name: string): string | undefined {
  const all = [response.headers['set-cookie'] ?? []].flat() as string[];
  return all.find((c) => c.startsWith(`${name}=`));
}

/** Logs in through the form as a JupyterHub client does: `_xsrf` cookie echoed in X-XSRFToken. */
async function loginWithHeader(name: string): Promise<Browser> {
  const browser = new Browser(hub.app);
  const page = await browser.request({ url: '/hub/login' });
  expect(page.statusCode).toBe(200);
  const xsrf = browser.cookies.get('_xsrf');
  expect(xsrf).toBeTruthy();
  const login = await browser.request({
    url: '/hub/login',
    form: { username: name, password: 'any' },
    headers: { 'x-xsrftoken': xsrf! },
  });
  expect(login.statusCode).toBe(302);
  expect(login.headers.location).toBe('/hub/home');
  return browser;
}

const makeToken = (browser: Browser, headers: Record<string, string>, user = 'alice') =>
  browser.request({
    method: 'POST',
    url: `/hub/api/users/${user}/tokens`,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: '{}',
  });

describe("JupyterHub's _xsrf cookie and headers", () => {
  it('the login page sets a readable `_xsrf` cookie under /hub/ only (never sent to users servers)', async () => {
    const page = await new Browser(hub.app).request({ url: '/hub/login' });
    const cookie = setCookie(page, '_xsrf')!;
    expect(cookie).toMatch(/; Path=\/hub\//);
    expect(cookie).not.toMatch(/HttpOnly/i);
  });

  it('login through the form with the X-XSRFToken header answers 302, and `_xsrf` becomes the session token', async () => {
    const browser = await loginWithHeader('alice');
    const session = await hub.services.auth.sessions.resolve(browser.cookies.get('coursehub-session'));
    expect(browser.cookies.get('_xsrf')).toBe(session!.csrfToken);
  });

  it.each(['x-xsrftoken', 'x-csrftoken', 'x-xsrf-token'])(
    'after login, the `_xsrf` cookie echoed in %s lets a cookie request change state',
    async (header) => {
      const browser = await loginWithHeader('alice');
      const res = await makeToken(browser, { [header]: browser.cookies.get('_xsrf')! });
      expect(res.statusCode).toBe(201);
    },
  );

  it('a cross-site request riding on the cookie without the token is refused', async () => {
    const browser = await loginWithHeader('alice');
    const before = (await hub.services.tokens.list('alice')).length;
    const res = await makeToken(browser, { origin: 'https://evil.example' });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/CSRF/);
    // As a form (what another site can make a browser send), too.
    const form = await browser.request({
      url: '/hub/api/users/alice/tokens',
      form: { note: 'stolen' },
      headers: { origin: 'https://evil.example' },
    });
    expect(form.statusCode).toBe(403);
    expect(await hub.services.tokens.list('alice')).toHaveLength(before);
  });

  it('a planted `_xsrf` cookie with a matching header is refused: the check is against the session', async () => {
    const browser = await loginWithHeader('alice');
    // Someone who can set cookies for the hub's host (a sibling subdomain) plants their own.
    browser.cookies.set('_xsrf', 'planted-by-mallory');
    const res = await makeToken(browser, { 'x-xsrftoken': 'planted-by-mallory' });
    expect(res.statusCode).toBe(403);
    const field = await browser.request({
      url: '/hub/spawn/alice',
      form: { _xsrf: 'planted-by-mallory' },
    });
    expect(field.statusCode).toBe(403);
  });

  it("another user's session token does not pass for alice's session", async () => {
    const alice = await loginWithHeader('alice');
    const mallory = await loginWithHeader('mallory');
    const res = await makeToken(alice, { 'x-xsrftoken': mallory.cookies.get('_xsrf')! });
    expect(res.statusCode).toBe(403);
  });

  it('before login, a planted `_xsrf` cookie and field do not pass for the login form', async () => {
    const browser = new Browser(hub.app);
    browser.cookies.set('_xsrf', 'planted');
    const res = await browser.request({
      url: '/hub/login',
      form: { _xsrf: 'planted', username: 'mallory', password: 'any' },
    });
    expect(res.statusCode).toBe(403);
    expect(setCookie(res, 'coursehub-session')).toBeUndefined();
  });
});
