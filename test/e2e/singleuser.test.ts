// Inside a user's own Jupyter server (Debian's notebook 6.4, started by the local spawner in
// bubblewrap), in real Chromium through the real proxy: the "Control Panel" link leads back to
// the hub's home, Jupyter's Logout (and its own /logout page) ends the hub session, and the
// server's terminal world has JupyterHub's variables and the `coursehub` command, whose token
// works against the hub's API. Once with hub.baseUrl '/' and once under a prefix.
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { INSTALLATION_ROOT } from '../../src/hub/installation.js';
import { HubUrls } from '../../src/hub/urls.js';
import { runCodeOnServer } from '../hub/spawner/run-code.js';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { BASE_URLS, launchBrowser, newPage } from '../support/browser.js';

const ALICE = 'chsu_alice';

/** JupyterHub's Spawner.get_env variables that every server gets (the optional ones left out). */
const JUPYTERHUB_VARIABLES = [
  'JUPYTERHUB_ACTIVITY_URL',
  'JUPYTERHUB_API_TOKEN',
  'JUPYTERHUB_API_URL',
  'JUPYTERHUB_BASE_URL',
  'JUPYTERHUB_CLIENT_ID',
  'JUPYTERHUB_HOST',
  'JUPYTERHUB_OAUTH_ACCESS_SCOPES',
  'JUPYTERHUB_OAUTH_CALLBACK_URL',
  'JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES',
  'JUPYTERHUB_OAUTH_SCOPES',
  'JUPYTERHUB_ROOT_DIR',
  'JUPYTERHUB_SERVER_NAME',
  'JUPYTERHUB_SERVICE_PREFIX',
  'JUPYTERHUB_SERVICE_URL',
  'JUPYTERHUB_USER',
];

/** Runs in a kernel of the user's server: what a student would try in its terminal. */
const INSIDE_THE_SERVER = `
import json, os, shutil, subprocess, urllib.request
root = ${JSON.stringify(INSTALLATION_ROOT)}
env = {k: v for k, v in os.environ.items() if k.startswith('JUPYTERHUB_')}
helped = subprocess.run(['coursehub', '--help'], capture_output=True, text=True, timeout=120)
request = urllib.request.Request(env['JUPYTERHUB_API_URL'] + '/user',
    headers={'Authorization': 'token ' + env['JUPYTERHUB_API_TOKEN']})
try:
    with urllib.request.urlopen(request, timeout=30) as answer:
        me = json.load(answer)
except OSError as error:
    me = {'name': None, 'error': f'{error} (uid {os.getuid()})'}
print(json.dumps({'env': sorted(env), 'which': shutil.which('coursehub'), 'rc': helped.returncode,
    'out': helped.stdout, 'err': helped.stderr[-3000:], 'me': me.get('name'), 'meError': me.get('error'),
    'seen': {name: os.path.exists(os.path.join(root, name)) for name in ['package.json', 'README.md', '.git']}}))
`;

/**
 * Types `command` into a new terminal of the server (Jupyter's terminals API and terminado's
 * websocket, as the browser's terminal page does) and returns what the terminal showed up to the
 * line `MARK <exit status of the command's first program>` (bash's PIPESTATUS).
 */
async function inTerminal(server: { url: string; token: string }, command: string): Promise<string> {
  const auth = { authorization: `token ${server.token}` };
  const made = await fetch(new URL('api/terminals', server.url), { method: 'POST', headers: auth });
  if (made.status !== 200) throw new Error(`starting a terminal: HTTP ${made.status}`);
  const { name } = (await made.json()) as { name: string };
  const url = new URL(`terminals/websocket/${name}`, server.url);
  url.protocol = 'ws:';
  const socket = new WebSocket(url, { headers: auth });
  let shown = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no end mark; the terminal showed:\n${shown}`)),
        120_000,
      );
      socket.on('error', reject);
      socket.on('message', (raw: WebSocket.RawData) => {
        const [kind, text] = JSON.parse(String(raw)) as [string, string];
        if (kind === 'setup')
          socket.send(JSON.stringify(['stdin', `${command}; echo "MARK \${PIPESTATUS[0]}"\r`]));
        if (kind !== 'stdout') return;
        shown += text;
        if (/^MARK \d+/m.test(shown)) {
          clearTimeout(timer);
          resolve(shown);
        }
      });
    });
  } finally {
    socket.close();
    await fetch(new URL(`api/terminals/${name}`, server.url), { method: 'DELETE', headers: auth });
  }
}

describe.each(BASE_URLS)("inside a user's Jupyter server (hub.baseUrl %s)", (baseUrl) => {
  const urls = new HubUrls(baseUrl);
  let hub: TestHub;
  let browser: Browser;

  async function pageAs(name: string) {
    const opened = await newPage(browser, hub.proxy.publicUrl);
    const session = await hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${hub.proxy.publicUrl}${urls.base}` },
    ]);
    return { ...opened, cookie: session.cookie };
  }

  /** Where the hub sends a request with `cookie` (through the proxy), without following it. */
  async function redirectOf(path: string, cookie: string): Promise<string> {
    const answer = await fetch(`${hub.proxy.publicUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
    return `${answer.status} ${new URL(answer.headers.get('location') ?? '', hub.proxy.publicUrl).pathname}`;
  }

  function aliceServer(): { url: string; token: string } {
    const ready = hub.services.servers.readyServers().find((s) => s.userName === ALICE);
    const server = ready?.spawner.current();
    if (!server) throw new Error(`${ALICE}'s server is not running`);
    return server;
  }

  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE], baseUrl });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.dispose();
  });

  it(
    'the notebook header has a "Control Panel" link that leads to the hub\'s home',
    { timeout: 150_000 },
    async () => {
      const { page, context, pageErrors } = await pageAs(ALICE);
      await page.goto(urls.hub('home'));
      await page.locator('#start').click();
      await page.waitForURL(`**${urls.user(ALICE, '', 'tree')}**`, { timeout: 60_000 });
      const link = page.locator('#jupyterhub-control-panel-link');
      await link.waitFor({ timeout: 30_000 });
      await expect(link.textContent()).resolves.toBe('Control Panel');

      // In a notebook's own page too, where students spend their time.
      const server = aliceServer();
      const made = await fetch(new URL('api/contents/hello.ipynb', server.url), {
        method: 'PUT',
        headers: { authorization: `token ${server.token}` },
        body: JSON.stringify({
          type: 'notebook',
          content: {
            cells: [],
            // A kernelspec of its own: without one the page picks the default and its scripts race
            // (SessionAlreadyStarting), with or without our header.
            metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
            nbformat: 4,
            nbformat_minor: 5,
          },
        }),
      });
      expect(made.status).toBe(201);
      await page.goto(urls.user(ALICE, '', 'notebooks/hello.ipynb'));
      await page.locator('#notebook-container').waitFor({ timeout: 30_000 });
      // The notebook's own scripts run as before with our header (its missing custom.css aside).
      await page.locator('#kernel_indicator_icon.kernel_idle_icon').waitFor({ timeout: 30_000 });
      expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await page.locator('#jupyterhub-control-panel-link').click();
      await page.waitForURL((url) => url.pathname === urls.hub('home'), { timeout: 30_000 });
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(/is running/);
      await context.close();
    },
  );

  it(
    "Logout in Jupyter ends the hub session and lands on the hub's login page",
    { timeout: 60_000 },
    async () => {
      const { page, context, cookie } = await pageAs(ALICE);
      await page.goto(urls.user(ALICE, '', 'tree'));
      expect(await redirectOf(urls.hub('home'), cookie)).toBe('200 /');
      await page.locator('#logout').click();
      await page.waitForURL((url) => url.pathname === urls.hub('login'), { timeout: 30_000 });
      // The cookie the browser had is dead at the hub and at the proxy alike.
      expect(await redirectOf(urls.hub('home'), cookie)).toBe(`302 ${urls.hub('login')}`);
      expect(await redirectOf(urls.user(ALICE, '', 'tree'), cookie)).toBe(`302 ${urls.hub('login')}`);
      expect((await context.cookies()).find((c) => c.name === SESSION_COOKIE_NAME)).toBeUndefined();
      await context.close();
    },
  );

  it("the notebook's own /logout page goes on to the hub's logout", { timeout: 60_000 }, async () => {
    const { page, context, cookie } = await pageAs(ALICE);
    await page.goto(urls.user(ALICE, '', 'logout'));
    await page.waitForURL((url) => url.pathname === urls.hub('login'), { timeout: 30_000 });
    expect(await redirectOf(urls.hub('home'), cookie)).toBe(`302 ${urls.hub('login')}`);
    await context.close();
  });

  it(
    "the server has JupyterHub's variables and `coursehub` on its PATH; its token works at /hub/api/user",
    { timeout: 180_000 },
    async () => {
      const server = aliceServer();
      const printed = await runCodeOnServer(server.url, server.token, INSIDE_THE_SERVER);
      const seen = JSON.parse(printed.trim().split('\n').at(-1)!) as {
        env: string[];
        which: string | null;
        rc: number;
        out: string;
        err: string;
        me: string;
        meError: string | null;
        seen: Record<string, boolean>;
      };
      expect(JUPYTERHUB_VARIABLES.filter((name) => !seen.env.includes(name))).toEqual([]);
      expect(seen.which).toMatch(/\/coursehub$/);
      expect({ rc: seen.rc, err: seen.err }).toEqual({ rc: 0, err: '' });
      expect(seen.out).toMatch(/^Usage: coursehub /m);
      expect(seen.out).toMatch(/\bnbgrader\b/);
      expect({ me: seen.me, error: seen.meError }).toEqual({ me: ALICE, error: null });
      // Of the installation, only what its CLI reads: not the rest of its folder (where an admin's
      // configuration or the hub's data may lie).
      expect(seen.seen).toEqual({ 'package.json': true, 'README.md': false, '.git': false });
    },
  );

  it(
    '`coursehub` is on the PATH of a terminal too (a login shell, which resets PATH from /etc/profile)',
    { timeout: 180_000 },
    async () => {
      const shown = await inTerminal(aliceServer(), 'coursehub --help 2>&1 | head -n 1');
      expect(shown).toMatch(/^Usage: coursehub /m);
      expect(shown).toMatch(/^MARK 0/m);
    },
  );
});
