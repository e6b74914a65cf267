// Security headers on every hub page (issue 11, item 7), in real Chromium through the real proxy
// to a real hub and a real notebook server: the pages work under the Content-Security-Policy
// (login, home with Start and Stop, the admin console's actions) with no violation reported, an
// inline script someone manages to inject is blocked (and reported), and a page of another
// origin cannot frame the hub.
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { launchBrowser, newPage } from '../support/browser.js';

const STUDENT = 'chsec_student';
const ADMIN = 'chsec_admin';
const PASSWORD = 'a long password 1';

let hub: TestHub;
let browser: Browser;

/** Console messages Chromium writes when the Content-Security-Policy refuses something. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

async function login(page: Page, name: string): Promise<void> {
  await page.goto('/hub/login');
  await page.fill('#username', name);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL('**/hub/home');
}

beforeAll(async () => {
  hub = await startTestHub({ users: [STUDENT], admins: [ADMIN] });
  for (const name of [STUDENT, ADMIN]) await hub.services.auth.localAccounts!.setPassword(name, PASSWORD);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('every hub page', () => {
  it.each(['/hub/login', '/hub/home', '/hub/admin', '/hub/api', '/hub/nowhere', '/hub/spawn-pending/x'])(
    '%s carries the security headers',
    async (path) => {
      const response = await fetch(`${hub.proxy.publicUrl}${path}`, { redirect: 'manual' });
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    },
  );
});

describe('in Chromium, under the policy', () => {
  it(
    'login, then Start and Stop on the home page, work and report no violation',
    { timeout: 150_000 },
    async () => {
      const { page, context } = await newPage(browser, hub.proxy.publicUrl);
      const violations = cspViolations(page);
      await login(page, STUDENT);
      // The stylesheet applies (the header's dark background comes from it).
      expect(
        await page.evaluate<string>("getComputedStyle(document.querySelector('header')).backgroundColor"),
      ).toBe('rgb(36, 41, 47)');
      await page.locator('#start').click();
      await page.waitForURL(`**/user/${STUDENT}/tree**`, { timeout: 60_000 });
      await page.goto('/hub/home');
      await page.locator('#stop').click();
      await page.locator('#start').waitFor({ timeout: 30_000 });
      expect(hub.services.servers.status(STUDENT)).toBeUndefined();
      expect(violations).toEqual([]);
      await context.close();
    },
  );

  it("the admin console's actions work and report no violation", async () => {
    const { page, context } = await newPage(browser, hub.proxy.publicUrl);
    const violations = cspViolations(page);
    await login(page, ADMIN);
    await page.goto('/hub/admin');
    await page.fill('#usernames', 'chsec_new');
    await page.click('#add-users button[type=submit]');
    await page.waitForURL(/flash=added/);
    const row = page.locator('#users tr[data-user="chsec_new"]');
    await row.locator('button', { hasText: 'Make admin' }).click();
    await page.waitForURL(/flash=admin-granted/);
    await page.fill('#group-name', 'chsec-group');
    await page.click('#groups form:last-of-type button[type=submit]');
    await page.waitForURL(/flash=group-created/);
    await page.locator('#users tr[data-user="chsec_new"] button', { hasText: 'Delete' }).click();
    await page.click('#confirm');
    await page.waitForURL(/flash=deleted/);
    expect(await hub.services.users.get('chsec_new')).toBeUndefined();
    // The inline forms of the table keep their layout (a class, not a style attribute).
    expect(
      await page.evaluate<string>(
        `getComputedStyle(document.querySelector('#users tr[data-user="${STUDENT}"] [data-action="start-server"]').closest('form')).display`,
      ),
    ).toBe('inline');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('an injected inline script does not run, and Chromium reports the violation', async () => {
    const { page, context } = await newPage(browser, hub.proxy.publicUrl);
    const violations = cspViolations(page);
    await login(page, STUDENT);
    // As markup slipped into the page would: a script element with inline code.
    const ran = await page.evaluate<boolean>(`(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.injectedRan = true;';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return window.injectedRan === true;
    })()`);
    expect(ran).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatch(/inline script violates the following Content Security Policy directive/);
    expect(violations[0]).toContain("script-src 'self'");
    await context.close();
  });

  it('a page of another origin cannot frame the hub', async () => {
    const framer: Server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<iframe id="hub" src="${hub.proxy.publicUrl}/hub/login"></iframe>`);
    });
    await new Promise<void>((done) => framer.listen(0, '127.0.0.1', done));
    const { port } = framer.address() as { port: number };
    try {
      const { page, context } = await newPage(browser);
      const refused: string[] = [];
      page.on('console', (message) => {
        if (/frame-ancestors/.test(message.text())) refused.push(message.text());
      });
      // localhost is another origin than the hub's 127.0.0.1.
      await page.goto(`http://localhost:${port}/`);
      await expect.poll(() => refused.length).toBeGreaterThan(0);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(
        await frame
          ?.locator('#username')
          .count()
          .catch(() => 0),
      ).toBe(0);
      await context.close();
    } finally {
      framer.close();
    }
  });
});
