// Named servers on the home page, in real Chromium through the real proxy to a real hub and real
// notebook servers, as JupyterHub's home page offers them: add one by name (it starts, with
// progress, and opens at /user/NAME/SERVER/), stop it, start it again from its stopped URL,
// delete it. With named servers off (the default) the home page has no such list.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { launchBrowser, newPage } from '../support/browser.js';

const ALICE = 'chnamedweb_alice';

async function pageAs(hub: TestHub, browser: Browser, name: string) {
  const opened = await newPage(browser, hub.proxy.publicUrl);
  const session = await hub.session(name);
  await opened.context.addCookies([
    { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${hub.proxy.publicUrl}/` },
  ]);
  return opened;
}

describe('named servers on the home page', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub({
      users: [ALICE],
      spawner: { allowNamedServers: true, namedServerLimitPerUser: 2 },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  it(
    'adds a named server, opens it, stops it, starts it from its URL and deletes it',
    { timeout: 150_000 },
    async () => {
      const { page, context } = await pageAs(hub, browser, ALICE);
      await page.goto('/hub/home');
      await expect(page.locator('#named-servers h2').textContent()).resolves.toBe('Named servers');
      await expect(page.locator('#named-servers').textContent()).resolves.toMatch(/up to 2 more/);
      await page.locator('#add-server-form input[name="server_name"]').fill('analysis');
      await page.locator('#add-server').click();
      await page.waitForURL(`**/user/${ALICE}/analysis/tree**`, { timeout: 60_000 });
      await page.locator('#notebook_list, #tabs').first().waitFor({ timeout: 30_000 });
      expect(hub.services.servers.status(ALICE, 'analysis')).toEqual({ pending: null, ready: true });
      // Only the named server runs; the default one was not started.
      expect(hub.services.servers.status(ALICE)).toBeUndefined();

      await page.goto('/hub/home');
      const row = page.locator('#named-servers tr[data-server-name="analysis"]');
      await expect(row.getAttribute('data-phase')).resolves.toBe('running');
      await expect(row.locator('a').getAttribute('href')).resolves.toBe(`/user/${ALICE}/analysis/`);
      await row.locator('#stop-analysis').click();
      await page.waitForURL('**/hub/home');
      await expect(row.getAttribute('data-phase')).resolves.toBe('stopped');
      expect(hub.services.servers.status(ALICE, 'analysis')).toBeUndefined();

      // Its URL, now without a route, leads to the page that starts that server (not the default).
      await page.goto(`/user/${ALICE}/analysis/tree?from=bookmark`);
      expect(new URL(page.url()).pathname).toBe(`/hub/user/${ALICE}/analysis/tree`);
      await expect(page.locator('h1').textContent()).resolves.toMatch(
        /Your server 'analysis' is not running/,
      );
      await page.locator('#start').click();
      await page.waitForURL(
        (url) =>
          url.pathname === `/user/${ALICE}/analysis/tree` && url.searchParams.get('from') === 'bookmark',
        { timeout: 60_000 },
      );
      expect(hub.services.servers.status(ALICE, 'analysis')?.ready).toBe(true);
      expect(hub.services.servers.status(ALICE)).toBeUndefined();

      await page.goto('/hub/home');
      await row.locator('#stop-analysis').click();
      await page.waitForURL('**/hub/home');
      await row.locator('#delete-analysis').click();
      await page.waitForURL('**/hub/home');
      await expect(page.locator('#named-servers tr[data-server-name]').count()).resolves.toBe(0);
      expect(await hub.services.servers.records(ALICE)).toEqual([]);
      await context.close();
    },
  );

  it('a name the hub refuses is said on the home page', async () => {
    const { page, context } = await pageAs(hub, browser, ALICE);
    await page.goto('/hub/home');
    await page.locator('#add-server-form input[name="server_name"]').fill('tree');
    await page.locator('#add-server').click();
    await expect(page.locator('.flash.error').textContent()).resolves.toMatch(/Invalid server_name/);
    expect(await hub.services.servers.records(ALICE)).toEqual([]);
    await context.close();
  });
});

describe('the home page without named servers', () => {
  let hub: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE] });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  it('lists no named servers and offers none', async () => {
    const { page, context } = await pageAs(hub, browser, ALICE);
    await page.goto('/hub/home');
    await expect(page.locator('#server-control').count()).resolves.toBe(1);
    await expect(page.locator('#named-servers').count()).resolves.toBe(0);
    await context.close();
  });
});
