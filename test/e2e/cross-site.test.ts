// Cross-site requests in real Chromium (issue 11, item 1), against the real hub, the real proxy
// and a real Jupyter server (Debian's notebook 6.4): a page served from another port of the same
// host, opened in the browser of a logged-in student, must not create a terminal, write a file,
// start a kernel or open a terminal's or kernel's websocket on her server (before the fix it got
// a shell as her). And her own pages still work: the notebook opens, runs a cell, saves, and a
// terminal opens from the same origin.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { launchBrowser, newPage } from '../support/browser.js';

const ALICE = 'chxs_alice';
let hub: TestHub;
let browser: Browser;
let attacker: http.Server;
let attackerUrl: string;
/** alice's own API token (access to her server): what the test checks her server with. */
let aliceToken: string;
const serverApi = (path: string) => `${hub.proxy.publicUrl}/user/${ALICE}/api/${path}`;

/** Asks alice's server through the proxy with her API token (a script's request: no browser). */
async function asAlice(path: string, init: { method?: string; body?: string } = {}): Promise<unknown> {
  const response = await fetch(serverApi(path), {
    method: init.method ?? 'GET',
    headers: { authorization: `token ${aliceToken}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

/** The attacker's page: everything a page of another origin can make the browser send. */
function attackPage(target: string, terminal: string, kernel: string): string {
  const ws = target.replace('http:', 'ws:');
  return `<!doctype html><html><body><script>
  window.results = {};
  const done = [];
  const note = (name, value) => { window.results[name] = value; };
  // no-cors: the browser sends it with the student's cookies; the page cannot read the answer.
  done.push(fetch(${JSON.stringify(`${target}/api/terminals`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
    .then(() => note('terminal POST', 'sent'), (e) => note('terminal POST', 'failed ' + e)));
  done.push(fetch(${JSON.stringify(`${target}/api/kernels`)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
      headers: { 'content-type': 'text/plain' }, body: '{"name": "python3"}' })
    .then(() => note('kernel POST', 'sent'), (e) => note('kernel POST', 'failed ' + e)));
  // PUT needs CORS (a preflight): the browser must not send it.
  done.push(fetch(${JSON.stringify(`${target}/api/contents/pwned.txt`)}, { method: 'PUT', credentials: 'include',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'file', format: 'text', content: 'pwned' }) })
    .then((r) => note('contents PUT', 'answered ' + r.status), (e) => note('contents PUT', 'failed')));
  for (const [name, url] of [['terminal websocket', ${JSON.stringify(`${ws}/terminals/websocket/${terminal}`)}],
                             ['kernel websocket', ${JSON.stringify(`${ws}/api/kernels/${kernel}/channels`)}]]) {
    done.push(new Promise((resolve) => {
      const socket = new WebSocket(url);
      socket.onopen = () => { note(name, 'open'); socket.send(JSON.stringify(['stdin', 'id > /tmp/chxs-pwned\\r'])); resolve(); };
      socket.onerror = () => { note(name, 'refused'); resolve(); };
    }));
  }
  // A form posted into a hidden frame, as the oldest CSRF does it.
  const frame = document.createElement('iframe'); frame.name = 'sink'; document.body.appendChild(frame);
  const form = document.createElement('form'); form.method = 'POST'; form.target = 'sink';
  form.action = ${JSON.stringify(`${target}/api/terminals`)}; document.body.appendChild(form);
  form.submit();
  Promise.all(done).then(() => { window.finished = true; });
  </script></body></html>`;
}

async function loggedInContext(): Promise<BrowserContext> {
  const { context } = await newPage(browser);
  const session = await hub.session(ALICE);
  await context.addCookies([
    {
      name: SESSION_COOKIE_NAME,
      value: session.cookieValue,
      url: `${hub.proxy.publicUrl}/`,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  return context;
}

beforeAll(async () => {
  hub = await startTestHub({ users: [ALICE] });
  aliceToken = await hub.token(ALICE, [`access:servers!user=${ALICE}`]);
  await (
    await hub.services.servers.start(ALICE)
  ).ready;
  browser = await launchBrowser();
  attacker = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(
      attackPage(
        `${hub.proxy.publicUrl}/user/${ALICE}`,
        url.searchParams.get('terminal') ?? '',
        url.searchParams.get('kernel') ?? '',
      ),
    );
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  attacker?.close();
  await hub?.dispose();
});

describe('a page of another origin, in the browser of a logged-in student', () => {
  it(
    'creates no terminal, kernel or file, and opens no websocket on her server',
    { timeout: 90_000 },
    async () => {
      // A terminal and a kernel of her own, whose websockets the page will try.
      const terminal = ((await asAlice('terminals', { method: 'POST' })) as { name: string }).name;
      const kernel = (
        (await asAlice('kernels', { method: 'POST', body: '{"name":"python3"}' })) as { id: string }
      ).id;
      const terminalsBefore = await asAlice('terminals');
      const kernelsBefore = ((await asAlice('kernels')) as { id: string }[]).map((k) => k.id).sort();

      const context = await loggedInContext();
      const page = await context.newPage();
      // The session works in this browser: her tree opens through the proxy.
      const tree = await page.goto(`${hub.proxy.publicUrl}/user/${ALICE}/tree`);
      expect(tree?.status()).toBe(200);
      await page.goto(`${attackerUrl}/?terminal=${terminal}&kernel=${kernel}`);
      await page.waitForFunction('window.finished === true', undefined, { timeout: 30_000 });
      // Let the form's post land, if it were going to.
      await page.waitForTimeout(1_000);
      const results = (await page.evaluate('window.results')) as Record<string, string>;
      expect(results, JSON.stringify(results)).toMatchObject({
        'terminal websocket': 'refused',
        'kernel websocket': 'refused',
        'contents PUT': 'failed',
      });
      expect(await asAlice('terminals'), 'terminals').toEqual(terminalsBefore);
      expect(((await asAlice('kernels')) as { id: string }[]).map((k) => k.id).sort()).toEqual(kernelsBefore);
      await expect(asAlice('contents/pwned.txt')).rejects.toThrow(/404/);
      await context.close();
    },
  );
});

describe('her own pages, from the same origin', () => {
  it('the notebook opens, runs a cell and saves', { timeout: 120_000 }, async () => {
    await asAlice('contents/sum.ipynb', {
      method: 'PUT',
      body: JSON.stringify({
        type: 'notebook',
        content: {
          nbformat: 4,
          nbformat_minor: 5,
          metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
          cells: [
            {
              cell_type: 'code',
              id: 'c1',
              metadata: {},
              source: 'print(6 * 7)',
              outputs: [],
              execution_count: null,
            },
          ],
        },
      }),
    });
    const context = await loggedInContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && r.url().includes(`/user/${ALICE}/api/`))
        errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${hub.proxy.publicUrl}/user/${ALICE}/notebooks/sum.ipynb`);
    // The kernel's websocket is up (cookie-authenticated, origin-checked by Jupyter too).
    await page.waitForFunction(
      'window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()',
      undefined,
      { timeout: 60_000 },
    );
    await page.evaluate('Jupyter.notebook.execute_all_cells()');
    await page.locator('.output_area pre', { hasText: '42' }).waitFor({ timeout: 30_000 });
    await page.evaluate('Jupyter.notebook.save_notebook()');
    await expect
      .poll(
        async () => {
          const saved = (await asAlice('contents/sum.ipynb')) as {
            content: { cells: { outputs: { text?: string }[] }[] };
          };
          return saved.content.cells[0]!.outputs.map((o) => o.text).join('');
        },
        { timeout: 20_000 },
      )
      .toBe('42\n');
    expect(errors).toEqual([]);
    await context.close();
  });

  it(
    "a terminal opens from her own page (with Jupyter's XSRF token, which Jupyter checks), and its websocket answers",
    { timeout: 60_000 },
    async () => {
      const context = await loggedInContext();
      const page = await context.newPage();
      await page.goto(`${hub.proxy.publicUrl}/user/${ALICE}/tree`);
      const answer = await page.evaluate(`(async () => {
      const xsrf = document.cookie.split('; ').find((c) => c.startsWith('_xsrf='))?.slice(6);
      // Jupyter's own XSRF check runs (the request is cookie-authenticated, not by the server's
      // token): without the X-XSRFToken header Jupyter refuses it itself.
      const bare = await fetch('api/terminals', { method: 'POST' });
      if (bare.status !== 403) return 'without XSRF token: ' + bare.status;
      const created = await fetch('api/terminals', { method: 'POST', headers: { 'X-XSRFToken': decodeURIComponent(xsrf) } });
      if (!created.ok) return 'POST ' + created.status;
      const { name } = await created.json();
      const url = location.href.replace('http:', 'ws:').replace(/tree.*$/, 'terminals/websocket/' + name);
      return await new Promise((resolve) => {
        const socket = new WebSocket(url);
        socket.onmessage = (event) => { socket.close(); resolve('message ' + String(event.data).slice(0, 8)); };
        socket.onerror = () => resolve('refused');
      });
    })()`);
      expect(answer).toMatch(/^message /);
      await context.close();
    },
  );
});
