/**
 * Real Chromium for tests: Debian's /usr/bin/chromium driven by playwright-core (no browser
 * download). Every test file that drives pages uses `launchBrowser()` in beforeAll and
 * `browser.close()` in afterAll, so no Chromium process outlives its test file.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.COURSEHUB_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that let Chromium run headless as root in a container with a small /dev/shm. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * A fresh context (own cookie jar) and page; the page's console errors and uncaught exceptions
 * are collected so a test can assert the page's scripts ran cleanly.
 */
export async function newPage(
  browser: Browser,
  baseURL?: string,
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return { context, page, pageErrors };
}

/**
 * The hub.baseUrl values every Chromium test runs under: the default, and a prefix (as behind a
 * shared web server), so that no page, redirect, form or script may hard-code its paths.
 */
export const BASE_URLS = ['/', '/jhub/'] as const;
