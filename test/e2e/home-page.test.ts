// The home page and the missing-route page in real Chromium, through the real proxy to a real
// hub and real notebook servers: Start with a live progress bar, landing in the notebook tree,
// Stop, and starting from the page a stopped server's URL leads to. Once with hub.baseUrl '/' and
// once under a prefix.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { HubUrls } from '../../src/hub/urls.js';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { BASE_URLS, launchBrowser, newPage } from '../support/browser.js';

const ALICE = 'chweb_alice';
const BOB = 'chweb_bob';
const ADMIN = 'chweb_admin';

describe.each(BASE_URLS)('home page (hub.baseUrl %s)', (baseUrl) => {
  const urls = new HubUrls(baseUrl);
  let hub: TestHub;
  let browser: Browser;

  async function pageAs(name: string) {
    const opened = await newPage(browser, hub.proxy.publicUrl);
    const session = await hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${hub.proxy.publicUrl}${urls.base}` },
    ]);
    return { ...opened, csrf: session.csrf };
  }

  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE, BOB], admins: [ADMIN], baseUrl });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  it('sends an anonymous browser to the login page', async () => {
    const { page, context } = await newPage(browser, hub.proxy.publicUrl);
    await page.goto(urls.hub('home'));
    expect(new URL(page.url()).pathname).toBe(urls.hub('login'));
    await context.close();
  });

  // Its own waits (60 s for the server, 30 s for the tree) must fail with their own message
  // before the test's timeout cuts them short.
  it(
    'Start shows live progress, then opens the notebook tree; Stop stops it',
    { timeout: 150_000 },
    async () => {
      const { page, context, pageErrors } = await pageAs(ALICE);
      const hubFailures: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400 && new URL(r.url()).pathname.startsWith(urls.hub()))
          hubFailures.push(`${r.status()} ${r.url()}`);
      });
      // Record every progress event the page receives; sessionStorage survives the navigation to
      // the server (same origin: the proxy serves both).
      await page.addInitScript(`(() => {
      const Original = window.EventSource;
      window.EventSource = function (url) {
        const source = new Original(url);
        source.addEventListener('message', (e) => {
          const seen = JSON.parse(sessionStorage.getItem('progress') || '[]');
          seen.push(JSON.parse(e.data));
          sessionStorage.setItem('progress', JSON.stringify(seen));
        });
        return source;
      };
    })()`);
      await page.goto(urls.hub('home'));
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(/not running/);
      await page.locator('#start').click();
      await page.waitForURL(`**${urls.user(ALICE, '', 'tree')}**`, { timeout: 60_000 });
      await page.locator('#notebook_list, #tabs').first().waitFor({ timeout: 30_000 });
      expect(hub.services.servers.status(ALICE)).toEqual({ pending: null, ready: true });
      const seen = JSON.parse((await page.evaluate('sessionStorage.getItem("progress")')) as string) as {
        progress: number;
        ready?: boolean;
      }[];
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.at(-1)).toMatchObject({ progress: 100, ready: true });

      await page.goto(urls.hub('home'));
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(/is running/);
      await page.locator('#stop').click();
      await page.locator('#start').waitFor({ timeout: 30_000 });
      expect(hub.services.servers.status(ALICE)).toBeUndefined();
      expect(hubFailures).toEqual([]);
      // The notebook's own pages may log their own errors (missing custom.css); the hub's must not.
      expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await context.close();
    },
  );

  it("a stopped server's URL leads to a page that starts it and then goes where the user was going", async () => {
    const { page, context } = await pageAs(ALICE);
    await page.goto(`${urls.user(ALICE, '', 'tree')}?from=bookmark`);
    expect(new URL(page.url()).pathname).toBe(urls.hub(`user/${ALICE}/tree`));
    await expect(page.locator('h1').textContent()).resolves.toMatch(/Your server is not running/);
    await page.locator('#start').click();
    await page.waitForURL(
      (url) => url.pathname === urls.user(ALICE, '', 'tree') && url.searchParams.get('from') === 'bookmark',
      { timeout: 60_000 },
    );
    expect(hub.services.servers.status(ALICE)?.ready).toBe(true);
    await context.close();
  });

  it("bob cannot start alice's server from her missing-route page", async () => {
    // Alice's server is stopped, so a start that got through would show.
    await (
      await hub.services.servers.stop(ALICE)
    ).done;
    const { page, context, csrf } = await pageAs(BOB);
    const answer = await page.goto(urls.hub(`user/${ALICE}/tree`));
    expect(answer?.status()).toBe(403);
    expect(await page.locator('#start').count()).toBe(0);
    // With a valid CSRF token of bob's own session, so that it is the permission check that
    // refuses (a wrong token would be refused by the CSRF check before it).
    const forged = await page.request.post(urls.hub(`spawn/${ALICE}`), {
      headers: { 'x-xsrf-token': csrf },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain(`You (${BOB}) may not start or stop ${ALICE}&#39;s server.`);
    expect(hub.services.servers.status(ALICE)).toBeUndefined();
    await context.close();
  });

  it("the admin console shows each user's server and starts and stops it", async () => {
    const { page, context } = await pageAs(ADMIN);
    await page.goto(urls.hub('admin'));
    const row = page.locator(`#users tr[data-user="${BOB}"]`);
    await expect(row.locator('[data-server-state]').getAttribute('data-server-state')).resolves.toBe(
      'stopped',
    );
    await row.locator('[data-action="start-server"]').click();
    await page.waitForURL(`**${urls.hub('admin')}`);
    const deadline = Date.now() + 60_000;
    while (!hub.services.servers.status(BOB)?.ready && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await page.reload();
    await expect(row.locator('[data-server-state]').getAttribute('data-server-state')).resolves.toBe(
      'running',
    );
    await row.locator('[data-action="stop-server"]').click();
    await page.waitForURL(`**${urls.hub('admin')}`);
    await expect(row.locator('[data-server-state]').getAttribute('data-server-state')).resolves.toBe(
      'stopped',
    );
    expect(hub.services.servers.status(BOB)).toBeUndefined();
    await context.close();
  });
});
