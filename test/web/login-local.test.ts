// Local-password login end to end through the real hub app: pages, sessions, rate limits,
// open-redirect protection, CSRF, logout, password change and admin reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { Browser, startTestHub, type TestHub } from '../hub/auth/hub-fixture.js';

const ADMIN_PASSWORD = 'admin-secret-1';
const ANN_PASSWORD = 'ann-password-1';
let hub: TestHub;
let ip = 10;
/** Each test gets its own client address, so per-IP limits of one test do not leak into another. */
const browser = () => new Browser(hub.app, `127.0.0.${ip++}`);

beforeAll(async () => {
  hub = await startTestHub(
    { auth: { authenticator: 'local', adminContact: 'Prof. Ada', local: { adminPassword: ADMIN_PASSWORD } } },
    { users: [{ name: 'ann' }, { name: 'bob' }, { name: 'cy' }] },
  );
  for (const name of ['ann', 'bob', 'cy'])
    await hub.services.auth.localAccounts!.setPassword(name, ANN_PASSWORD);
});
afterAll(async () => {
  await hub?.close();
});

describe('first-run admin', () => {
  it('creates the admin from the configured password without printing it', async () => {
    expect(hub.printed).toEqual([]);
    const admin = await hub.handle.db
      .selectFrom('users')
      .select(['name', 'admin'])
      .where('name', '=', 'admin')
      .executeTakeFirst();
    expect(admin).toEqual({ name: 'admin', admin: 1 });
    const b = browser();
    expect((await b.login('admin', ADMIN_PASSWORD)).statusCode).toBe(302);
  });

  it('generates and prints a password once when none is given', async () => {
    const other = await startTestHub({ auth: { authenticator: 'local' } });
    try {
      expect(other.printed).toHaveLength(2);
      const password = /password: (\S+)$/.exec(other.printed[0]!)?.[1];
      expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
      const b = new Browser(other.app);
      const ok = await b.login('admin', password!);
      expect(ok.statusCode).toBe(302);
      // A second start finds the password and prints nothing.
      const again = await other.services.auth.localAccounts!.bootstrapAdmin('admin', undefined);
      expect(again).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('login page', () => {
  it('shows a form with a CSRF field bound to a cookie', async () => {
    const b = browser();
    const page = await b.request({ url: '/hub/login?next=/hub/home' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('name="password"');
    expect(Browser.xsrfOf(page.body)).toBe(b.cookies.get('coursehub-login-xsrf'));
  });

  it('logs an allowed user in with a fresh httponly SameSite=Lax session cookie and goes to next', async () => {
    const b = browser();
    const response = await b.login('Ann', ANN_PASSWORD, '/user/ann/tree?x=1');
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/user/ann/tree?x=1');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/coursehub-session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(setCookie).not.toContain('Secure');
    const session = await hub.services.auth.sessions.resolve(b.cookies.get(SESSION_COOKIE_NAME));
    expect(session?.userName).toBe('ann');
    // Signed in: the login page sends the user on.
    const again = await b.request({ url: '/hub/login' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/hub/home');
  });

  it.each([
    ['https://evil.example/x'],
    ['//evil.example/x'],
    ['/\\evil.example'],
    ['/\t/evil.example'],
    ['javascript:alert(1)'],
    ['/hub/logout'],
    ['/ok\r\nSet-Cookie: x=y'],
  ])('refuses next=%j (no open redirect) and goes home instead', async (next) => {
    const b = browser();
    const response = await b.login('ann', ANN_PASSWORD, next);
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/hub/home');
  });

  it("records the login as the user's last activity", async () => {
    const lastActivity = async () =>
      (
        await hub.handle.db
          .selectFrom('users')
          .select('last_activity')
          .where('name', '=', 'cy')
          .executeTakeFirstOrThrow()
      ).last_activity;
    const before = await lastActivity();
    const loginStarted = new Date().toISOString();
    expect((await browser().login('cy', ANN_PASSWORD)).statusCode).toBe(302);
    const after = await lastActivity();
    expect(after).not.toBe(before);
    expect(after! >= loginStarted).toBe(true);
  });

  it('refuses an unknown user and a wrong password with the same message and no session', async () => {
    const b = browser();
    const unknown = await b.login('nobody', 'whatever-pw');
    const wrong = await b.login('ann', 'not-the-password');
    for (const response of [unknown, wrong]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('Invalid user name or password.');
    }
    expect(b.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
    // The typed user name is kept (escaped) so the user need not retype it.
    expect(wrong.body).toContain('value="ann"');
  });

  it('refuses a login form posted without its CSRF token (login CSRF)', async () => {
    const b = browser();
    await b.request({ url: '/hub/login' });
    const response = await b.request({
      url: '/hub/login',
      form: { username: 'ann', password: ANN_PASSWORD },
    });
    expect(response.statusCode).toBe(403);
    expect(b.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
  });

  it('locks a user name after 5 failures with a message that says when to retry', async () => {
    const before = Date.now();
    for (let i = 0; i < 5; i++) {
      // Different addresses: this is the per-user limit, not the per-IP one.
      const response = await new Browser(hub.app, `127.1.0.${i + 1}`).login('bob', `wrong-${i}`);
      expect(response.statusCode).toBe(401);
    }
    const locked = await new Browser(hub.app, '127.1.0.99').login('bob', ANN_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('Too many failed logins. You can try again at');
    const retryAt = /(\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(locked.body)?.[1];
    const waitMs = Date.parse(retryAt!) - before;
    expect(waitMs).toBeGreaterThan(9 * 60 * 1000);
    expect(waitMs).toBeLessThanOrEqual(10 * 60 * 1000 + 60_000);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(500);
    // Other users are not affected.
    expect((await new Browser(hub.app, '127.1.0.98').login('cy', ANN_PASSWORD)).statusCode).toBe(302);
  });

  it('locks a client address after 5 failures across user names', async () => {
    const b = new Browser(hub.app, '127.2.0.1');
    for (const name of ['u1', 'u2', 'u3', 'u4', 'u5'])
      expect((await b.login(name, 'x-wrong-x')).statusCode).toBe(401);
    const locked = await b.login('cy', ANN_PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toContain('try again at');
    expect((await new Browser(hub.app, '127.2.0.2').login('cy', ANN_PASSWORD)).statusCode).toBe(302);
  });

  it('never reuses a session id the browser had before login', async () => {
    const b = browser();
    await b.login('ann', ANN_PASSWORD);
    const first = b.cookies.get(SESSION_COOKIE_NAME)!;
    const page = await b.request({ url: '/hub/login?next=/x' });
    expect(page.statusCode).toBe(303);
    // Logging in again (e.g. as someone else) from a signed-in browser: the old session ends.
    const form = await browser().request({ url: '/hub/login' });
    b.cookies.set('coursehub-login-xsrf', Browser.xsrfOf(form.body));
    const relogin = await b.request({
      url: '/hub/login',
      form: { username: 'cy', password: ANN_PASSWORD },
      headers: { 'x-xsrf-token': (await hub.services.auth.sessions.resolve(first))!.csrfToken },
    });
    expect(relogin.statusCode).toBe(302);
    const second = b.cookies.get(SESSION_COOKIE_NAME)!;
    expect(second).not.toBe(first);
    expect(await hub.services.auth.sessions.resolve(first)).toBeNull();
    expect((await hub.services.auth.sessions.resolve(second))?.userName).toBe('cy');
  });
});

describe('sessions, CSRF and logout', () => {
  it('refuses a state-changing request without the CSRF token, accepts the header or field', async () => {
    const b = browser();
    await b.login('ann', ANN_PASSWORD);
    const form = { current: 'x', password: 'y', confirm: 'y' };
    const refused = await b.request({ url: '/hub/change-password', form });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('CSRF');
    const wrong = await b.request({ url: '/hub/change-password', form: { ...form, _xsrf: 'forged' } });
    expect(wrong.statusCode).toBe(403);
    const page = await b.request({ url: '/hub/change-password' });
    const token = Browser.xsrfOf(page.body);
    const viaField = await b.request({ url: '/hub/change-password', form: { ...form, _xsrf: token } });
    expect(viaField.statusCode).toBe(400); // past CSRF; refused for the wrong current password
    expect(viaField.body).toContain('The current password is wrong');
    const viaHeader = await b.request({
      url: '/hub/change-password',
      form,
      headers: { 'X-XSRF-Token': token },
    });
    expect(viaHeader.statusCode).toBe(400);
  });

  it('does not let a cookie lend its session to a request exempted by an Authorization header', async () => {
    const b = browser();
    await b.login('ann', ANN_PASSWORD);
    const response = await b.request({
      url: '/hub/change-password',
      form: { current: ANN_PASSWORD, password: 'new-password-9', confirm: 'new-password-9' },
      headers: { authorization: 'token not-a-real-token' },
    });
    // Not a CSRF refusal; the bad token is refused by the API's identity hook (403), or, without
    // it, the route finds no session and sends the caller to log in (303)...
    expect(response.body).not.toContain('CSRF');
    expect([303, 403]).toContain(response.statusCode);
    // ...and the password is unchanged.
    expect((await browser().login('ann', ANN_PASSWORD)).statusCode).toBe(302);
  });

  it('logout revokes the session server-side: the old cookie no longer works', async () => {
    const b = browser();
    await b.login('ann', ANN_PASSWORD);
    const cookie = b.cookies.get(SESSION_COOKIE_NAME)!;
    const out = await b.request({ url: '/hub/logout' });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/hub/login?logged_out=1');
    expect(b.cookies.has(SESSION_COOKIE_NAME)).toBe(false);
    // A copy of the old cookie (stolen, or another tab) is refused.
    const replay = new Browser(hub.app);
    replay.cookies.set(SESSION_COOKIE_NAME, cookie);
    const page = await replay.request({ url: '/hub/change-password' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/hub/login?next=%2Fhub%2Fchange-password');
  });

  it('refuses a forged or unsigned session cookie', async () => {
    const b = browser();
    await b.login('ann', ANN_PASSWORD);
    const [id] = b.cookies.get(SESSION_COOKIE_NAME)!.split('.');
    for (const forged of [id!, `${id}.AAAA`, `x${b.cookies.get(SESSION_COOKIE_NAME)}`]) {
      const other = new Browser(hub.app);
      other.cookies.set(SESSION_COOKIE_NAME, forged);
      expect((await other.request({ url: '/hub/change-password' })).statusCode).toBe(303);
    }
  });

  it('sets Secure on the session cookie when the public URL is https', async () => {
    const secure = await startTestHub({
      hub: { publicUrl: 'https://hub.example.org' },
      auth: { authenticator: 'local', local: { adminPassword: ADMIN_PASSWORD } },
    });
    try {
      const response = await new Browser(secure.app).login('admin', ADMIN_PASSWORD);
      expect(response.statusCode).toBe(302);
      expect(String(response.headers['set-cookie'])).toMatch(/coursehub-session=[^,]*; Secure/);
    } finally {
      await secure.close();
    }
  });
});

describe('passwords', () => {
  it('changing the password ends every other session and keeps this browser signed in', async () => {
    await hub.services.auth.localAccounts!.setPassword('cy', ANN_PASSWORD);
    const laptop = browser();
    const phone = browser();
    await laptop.login('cy', ANN_PASSWORD);
    await phone.login('cy', ANN_PASSWORD);
    const phoneCookie = phone.cookies.get(SESSION_COOKIE_NAME);
    const page = await laptop.request({ url: '/hub/change-password' });
    const _xsrf = Browser.xsrfOf(page.body);
    const mismatch = await laptop.request({
      url: '/hub/change-password',
      form: { _xsrf, current: ANN_PASSWORD, password: 'new-password-1', confirm: 'new-password-2' },
    });
    expect(mismatch.body).toContain('The two new passwords differ');
    const short = await laptop.request({
      url: '/hub/change-password',
      form: { _xsrf, current: ANN_PASSWORD, password: 'short', confirm: 'short' },
    });
    expect(short.body).toContain('at least 8 characters');
    const ok = await laptop.request({
      url: '/hub/change-password',
      form: { _xsrf, current: ANN_PASSWORD, password: 'new-password-1', confirm: 'new-password-1' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Password changed');
    expect(await hub.services.auth.sessions.resolve(phoneCookie)).toBeNull();
    expect(
      (await hub.services.auth.sessions.resolve(laptop.cookies.get(SESSION_COOKIE_NAME)))?.userName,
    ).toBe('cy');
    expect((await browser().login('cy', ANN_PASSWORD)).statusCode).toBe(401);
    expect((await browser().login('cy', 'new-password-1')).statusCode).toBe(302);
  });

  it('only admins reset passwords; the reset ends sessions and forces a change at next login', async () => {
    const user = browser();
    await user.login('ann', ANN_PASSWORD);
    const userToken = Browser.xsrfOf((await user.request({ url: '/hub/change-password' })).body);
    const denied = await user.request({
      url: '/hub/admin/users/cy/reset-password',
      form: { _xsrf: userToken },
    });
    expect(denied.statusCode).toBe(403);

    const admin = browser();
    await admin.login('admin', ADMIN_PASSWORD);
    const adminToken = Browser.xsrfOf((await admin.request({ url: '/hub/change-password' })).body);
    const missing = await admin.request({
      url: '/hub/admin/users/ghost/reset-password',
      form: { _xsrf: adminToken },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is no user named');
    const noCsrf = await admin.request({ url: '/hub/admin/users/ann/reset-password', form: {} });
    expect(noCsrf.statusCode).toBe(403);
    const reset = await admin.request({
      url: '/hub/admin/users/ann/reset-password',
      form: { _xsrf: adminToken },
    });
    expect(reset.statusCode).toBe(200);
    const temporary = /<code id="new-password">([^<]+)<\/code>/.exec(reset.body)?.[1];
    expect(temporary).toMatch(/^[A-Za-z0-9]{20}$/);
    // ann's session ended; her old password is gone; the temporary one sends her to change it.
    expect(await hub.services.auth.sessions.resolve(user.cookies.get(SESSION_COOKIE_NAME))).toBeNull();
    expect((await browser().login('ann', ANN_PASSWORD)).statusCode).toBe(401);
    const b = browser();
    const login = await b.login('ann', temporary!, '/hub/home');
    expect(login.statusCode).toBe(302);
    expect(login.headers.location).toBe('/hub/change-password?next=%2Fhub%2Fhome');
    const page = await b.request({ url: login.headers.location as string });
    expect(page.body).toContain('reset by an administrator');
  });
});

describe('change-password guessing', () => {
  it('locks the change form after 5 wrong current passwords, even for the right one', async () => {
    const accounts = hub.services.auth.localAccounts!;
    await hub.handle.db
      .insertInto('users')
      .values({ name: 'dee', admin: 0, created: new Date().toISOString() })
      .execute();
    await accounts.setPassword('dee', 'dee-password-1');
    for (let i = 0; i < 5; i++)
      await expect(
        accounts.changePassword('dee', `guess-${i}`, 'new-password-1', 'new-password-1'),
      ).rejects.toThrow('The current password is wrong');
    await expect(
      accounts.changePassword('dee', 'dee-password-1', 'new-password-1', 'new-password-1'),
    ).rejects.toThrow(/Too many wrong current passwords\. You can try again at \d\d:\d\d UTC/);
    expect((await browser().login('dee', 'dee-password-1')).statusCode).toBe(302);
  });
});
