// The feedback page of the hostile notebook in real Chromium, served over HTTP and opened as a
// file: nothing runs (no dialog, no console error, no script element), nothing is requested from
// another origin, nothing is positioned over the page, and the legitimate images do load.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFeedbackPage } from '../../src/render/index.js';
import type { Cell } from '../../src/notebook/index.js';
import { launchBrowser } from '../support/browser.js';
import { hostileNotebook } from './support/hostile.js';

const JUPYTER_PNG = join(
  import.meta.dirname,
  '../fixtures/nbgrader-conformance/autograde/docs-ps1/source/ps1/jupyter.png',
);

let browser: Browser;
let server: Server;
let origin: string;
const dir = mkdtempSync(join(tmpdir(), 'coursehub-feedback-browser-'));

beforeAll(async () => {
  const notebook = hostileNotebook();
  const answer: Cell = {
    cell_type: 'markdown',
    source: '![logo](jupyter.png) <img src="jupyter.png" onerror="alert(2)">',
    metadata: { nbgrader: { grade: true, solution: true, grade_id: 'answer', points: 2 } },
  };
  notebook.cells.push(answer);
  const page = renderFeedbackPage({
    notebookName: 'hostile<script>alert(3)</script>',
    filesBeside: new Set(['jupyter.png']),
    notebook,
    cells: notebook.cells.map((_, i) =>
      i === notebook.cells.length - 1
        ? {
            gradeId: 'answer',
            solution: true,
            grade: true,
            task: false,
            score: { score: 1, maxScore: 2 },
            comment: '<img src=x onerror=alert(4)> **see me**',
          }
        : undefined,
    ),
    score: 1,
    maxScore: 2,
    latePenalty: 0.5,
  });
  writeFileSync(join(dir, 'hostile.html'), page);
  copyFileSync(JUPYTER_PNG, join(dir, 'jupyter.png'));
  server = createServer((request, response) => {
    const name = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).slice(1);
    readFile(join(dir, name.replace(/[/\\]/g, '_'))).then(
      (body) => {
        response.writeHead(200, { 'content-type': name.endsWith('.png') ? 'image/png' : 'text/html' });
        response.end(body);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Observed {
  dialogs: string[];
  consoleErrors: string[];
  foreignRequests: string[];
}

async function open(url: string, allowed: (url: string) => boolean): Promise<{ page: Page } & Observed> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const observed: Observed = { dialogs: [], consoleErrors: [], foreignRequests: [] };
  page.on('dialog', (dialog) => {
    observed.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error')
      observed.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => observed.consoleErrors.push(error.message));
  await context.route('**/*', (route) => {
    const requested = route.request().url();
    if (allowed(requested)) return route.continue();
    observed.foreignRequests.push(requested);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  // Give anything timed or event-driven a chance: move over the page and scroll it end to end.
  for (let y = 0; y < 800; y += 40) await page.mouse.move(200, y);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
  return { page, ...observed };
}

async function checkInert(page: Page, observed: Observed) {
  expect(observed.dialogs).toEqual([]);
  expect(observed.consoleErrors).toEqual([]);
  expect(observed.foreignRequests).toEqual([]);
  const facts = await page.evaluate(() => {
    const elements = Array.from(document.querySelectorAll('*'));
    const title = document.querySelector('h1')!;
    const box = title.getBoundingClientRect();
    window.scrollTo(0, 0);
    const top = title.getBoundingClientRect();
    return {
      scripts: document.scripts.length,
      iframes: document.querySelectorAll('iframe, object, embed, form, svg, base').length,
      handlers: elements.flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => a.name.startsWith('on'))
          .map((a) => a.name),
      ),
      positioned: elements
        .filter((e) => ['fixed', 'absolute', 'sticky'].includes(getComputedStyle(e).position))
        .map((e) => e.outerHTML.slice(0, 80)),
      titleOnTop: document.elementFromPoint(top.left + 5, top.top + box.height / 2) === title,
      title: title.textContent,
      logos: Array.from(document.images)
        .filter((img) => img.getAttribute('src') === 'jupyter.png')
        .map((img) => img.naturalWidth),
      lateLine: document.querySelector('.nb-late-penalty')?.textContent,
      comment: document.querySelector('.nb-grade-comment')?.textContent,
    };
  });
  expect(facts.scripts).toBe(0);
  expect(facts.iframes).toBe(0);
  expect(facts.handlers).toEqual([]);
  expect(facts.positioned).toEqual([]);
  expect(facts.titleOnTop).toBe(true);
  expect(facts.title).toBe('hostile<script>alert(3)</script> (Score: 1.0 / 2.0)');
  expect(facts.lateLine).toBe('Late submission penalty (Score: -0.5)');
  expect(facts.comment).toBe('Comments: [image not shown: no such file beside the notebook] see me\n');
  return facts;
}

describe('the feedback page of a hostile notebook in Chromium', () => {
  it('served over HTTP: nothing runs, nothing leaves the origin, nothing covers the page', async () => {
    const { page, ...observed } = await open(`${origin}/hostile.html`, (url) => url.startsWith(`${origin}/`));
    const facts = await checkInert(page, observed);
    // The student's own images beside the page load (same origin).
    expect(facts.logos.length).toBe(2);
    expect(facts.logos.every((width) => width > 0)).toBe(true);
    await page.context().close();
  });

  it('opened as a file: the same, and images beside it still load', async () => {
    const { page, ...observed } = await open(`file://${join(dir, 'hostile.html')}`, (url) =>
      url.startsWith(`file://${dir}/`),
    );
    const facts = await checkInert(page, observed);
    expect(facts.logos.every((width) => width > 0)).toBe(true);
    await page.context().close();
  });
});
