// The login pages in real Chromium against a listening hub: sign in, the cookie a browser keeps,
// a wrong password, change password, logout. Once with hub.baseUrl '/' and once under a prefix.
import type { Browser as Chromium } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { HubUrls } from '../../src/hub/urls.js';
import { BASE_URLS, launchBrowser, newPage } from '../support/browser.js';
import { startTestHub, type TestHub } from '../hub/auth/hub-fixture.js';

describe.each(BASE_URLS)('login in Chromium (hub.baseUrl %s)', (baseUrl) => {
  const urls = new HubUrls(baseUrl);
  let hub: TestHub;
  let chromium: Chromium;
  let base: string;

  beforeAll(async () => {
    hub = await startTestHub(
      {
        hub: { baseUrl },
        auth: { authenticator: 'local', local: { adminPassword: 'admin-secret-1' } },
      },
      {
        users: [{ name: 'ann' }],
        // Something to land on after login (the home page is another area's).
        routes: (app) =>
          app.get(urls.hub('test-landing'), async (request) => ({ user: request.session?.userName ?? null })),
      },
    );
    await hub.services.auth.localAccounts!.setPassword('ann', 'ann-password-1');
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(hub.app.server.address() as AddressInfo).port}`;
    chromium = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await hub?.close();
  });

  it('signs in, keeps an httponly Lax cookie, changes the password and signs out', async () => {
    const { context, page, pageErrors } = await newPage(chromium, base);
    try {
      await page.goto(urls.login(urls.hub('test-landing')));
      await page.fill('#username', 'ann');
      await page.fill('#password', 'wrong-password');
      await page.click('button[type=submit]');
      await expect.poll(() => page.textContent('.flash.error')).toContain('Invalid user name or password.');
      expect(await page.inputValue('#username')).toBe('ann');

      await page.fill('#password', 'ann-password-1');
      await page.click('button[type=submit]');
      await page.waitForURL(`**${urls.hub('test-landing')}`);
      expect(await page.textContent('body')).toContain('"user":"ann"');
      const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE_NAME);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: urls.base, secure: false });
      // Page scripts cannot read it.
      await page.goto(urls.hub('change-password'));
      expect(await page.evaluate<string>('document.cookie')).not.toContain(SESSION_COOKIE_NAME);

      await page.fill('#current', 'ann-password-1');
      await page.fill('#password', 'ann-password-2');
      await page.fill('#confirm', 'ann-password-2');
      await page.click(`form[action="${urls.hub('change-password')}"] button[type=submit]`);
      await expect.poll(() => page.textContent('h1')).toBe('Password changed');

      await page.click(`header form[action="${urls.hub('logout')}"] button`);
      await page.waitForURL(`**${urls.hub('login')}?logged_out=1`);
      expect(await page.textContent('.flash.info')).toContain('You are signed out.');
      expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE_NAME)).toBeUndefined();
      await page.goto(urls.hub('change-password'));
      expect(new URL(page.url()).pathname).toBe(urls.hub('login'));
      // Status codes we send on purpose (401 for the wrong password, 404 for /favicon.ico) show up
      // as "Failed to load resource"; anything else would be a script error on our pages.
      const scriptErrors = pageErrors.filter((e) => !e.startsWith('Failed to load resource'));
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
