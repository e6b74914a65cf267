// The end-to-end test of issue 3, in real Chromium against `coursehub start` run as its own
// process, behind `coursehub proxy` run as another (as under a service manager; proxy.autoStart
// off, so the hub re-uses it): a student logs in with a local password,
// starts the server from the home page, opens a new notebook through the proxy, runs 1+1 and
// sees 2; then the hub process is restarted (the proxy is not), and the same open notebook, on
// the same kernel websocket, runs another cell. Once with hub.baseUrl '/' and once under a prefix.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/database.js';
import { createHubStores } from '../../src/db/stores/hub-stores.js';
import { LocalAccounts } from '../../src/hub/auth/local-accounts.js';
import { SessionStore } from '../../src/hub/auth/session-store.js';
import { HubUrls } from '../../src/hub/urls.js';
import { UserService } from '../../src/hub/users/user-service.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { BASE_URLS, launchBrowser, newPage } from '../support/browser.js';
import { freePort } from '../support/postgres.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const STUDENT = 'chee_student';
const PASSWORD = 'student-password-1';
const COOKIE_SECRET = 'e'.repeat(64);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The user servers' egress policy (on by default) in a table of this test's own, removed after it.
const EGRESS_TABLE = `chtest_e2e_${process.pid}`;

describe.each(BASE_URLS)(
  'end to end: a student at work, through a hub restart (hub.baseUrl %s)',
  (baseUrl) => {
    const urls = new HubUrls(baseUrl);
    let root: string;
    let dataDir: string;
    let configFile: string;
    let publicUrl: string;
    let hubProcess: ChildProcess | undefined;
    let proxyProcess: ChildProcess | undefined;
    let browser: Browser;
    let page: Page;

    /** `coursehub start` as its own process group; resolves when the hub answers through the proxy. */
    async function startHubProcess(): Promise<ChildProcess> {
      const log = openSync(join(root, 'hub.log'), 'a');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'start', '--config', configFile],
        {
          cwd: REPO,
          stdio: ['ignore', log, log],
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root },
        },
      );
      closeSync(log);
      let exited = false;
      child.on('exit', () => (exited = true));
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline && !exited) {
        const up = await fetch(`${publicUrl}${urls.hub('login')}`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (up) return child;
        await sleep(200);
      }
      throw new Error(
        `coursehub start did not come up; see its log:\n${readFileSync(join(root, 'hub.log'), 'utf8').slice(-3000)}`,
      );
    }

    /** `coursehub proxy` in front of the hub; resolves when its API answers. */
    async function startProxyProcess(ports: {
      port: number;
      hubPort: number;
      apiPort: number;
    }): Promise<ChildProcess> {
      const log = openSync(join(root, 'proxy.log'), 'a');
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO, 'src/cli/main.ts'),
          'proxy',
          '--port',
          String(ports.port),
          '--api-port',
          String(ports.apiPort),
          '--default-target',
          `http://127.0.0.1:${ports.hubPort}`,
          '--base-url',
          urls.base,
          '--data-dir',
          dataDir,
        ],
        {
          cwd: REPO,
          stdio: ['ignore', log, log],
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', COURSEHUB_COOKIE_SECRET: COOKIE_SECRET },
        },
      );
      closeSync(log);
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null) {
        const up = await fetch(`http://127.0.0.1:${ports.apiPort}/api/routes`).then(
          () => true,
          () => false,
        );
        if (up) return child;
        await sleep(200);
      }
      throw new Error(
        `coursehub proxy did not come up; see its log:\n${readFileSync(join(root, 'proxy.log'), 'utf8').slice(-3000)}`,
      );
    }

    async function stopHubProcess(): Promise<void> {
      const child = hubProcess;
      hubProcess = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    /** Types `code` into the notebook's cell number `index`, runs it, and returns its output text. */
    async function runCell(index: number, code: string, expected: string): Promise<string> {
      const cell = page.locator('.code_cell').nth(index);
      await cell.locator('.CodeMirror').click();
      await page.keyboard.type(code);
      await page.keyboard.press('Shift+Enter');
      const output = cell.locator('.output_area .output_subarea');
      await output.filter({ hasText: expected }).first().waitFor({ timeout: 60_000 });
      return (await output.first().textContent()) ?? '';
    }

    beforeAll(async () => {
      removeUnixAccount(STUDENT);
      root = mkdtempSync(join(tmpdir(), 'coursehub-e2e-'));
      chmodSync(root, 0o755);
      dataDir = join(root, 'data');
      const [port, hubPort, apiPort] = [await freePort(), await freePort(), await freePort()];
      publicUrl = `http://127.0.0.1:${port}`;
      configFile = join(root, 'coursehub.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          // hub.port is the proxy's public port (the proxy runs on its own here, proxy.autoStart
          // off); the hub listens on hubPort behind it.
          hub: { ip: '127.0.0.1', port, hubPort, dataDir, cookieSecret: COOKIE_SECRET, baseUrl },
          proxy: { apiIp: '127.0.0.1', apiPort, autoStart: false },
          auth: {
            authenticator: 'local',
            local: { adminUser: 'chee_admin', adminPassword: 'admin-password-1' },
          },
          spawner: { local: { homeRoot: join(root, 'homes') }, network: { table: EGRESS_TABLE } },
          log: { level: 'info' },
        }),
      );
      // The student, with a local password, as an admin would have made them before the course.
      const database = openDatabase({ url: join(dataDir, 'coursehub.sqlite') });
      await migrateToLatest(database.db);
      const stores = createHubStores(database.db);
      await new UserService(stores).create({ name: STUDENT, admin: false });
      const sessions = new SessionStore(stores.logins, { cookieSecret: COOKIE_SECRET });
      await new LocalAccounts(stores.logins, stores.users, sessions, { minPasswordLength: 8 }).setPassword(
        STUDENT,
        PASSWORD,
        false,
      );
      await database.close();

      proxyProcess = await startProxyProcess({ port, hubPort, apiPort });
      hubProcess = await startHubProcess();
      browser = await launchBrowser();
      page = (await newPage(browser, publicUrl)).page;
    }, 180_000);

    afterAll(async () => {
      // Stop the student's server through the API while the hub still runs, then the hub, the proxy.
      if (page && hubProcess) {
        const csrf = await page
          .goto(`${publicUrl}${urls.hub('home')}`)
          .then(() => page.locator('meta[name="csrf-token"]').getAttribute('content'))
          .catch(() => null);
        if (csrf)
          await page.request
            .delete(`${publicUrl}${urls.api(`users/${STUDENT}/server`)}`, {
              headers: { 'x-xsrf-token': csrf },
            })
            .catch(() => undefined);
      }
      await browser?.close();
      await stopHubProcess();
      if (proxyProcess && proxyProcess.exitCode === null) {
        const exited = new Promise((r) => proxyProcess!.once('exit', r));
        proxyProcess.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (proxyProcess.exitCode === null) proxyProcess.kill('SIGKILL');
      }
      removeUnixAccount(STUDENT);
      spawnSync('nft', ['delete', 'table', 'inet', EGRESS_TABLE], {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
      if (root) rmSync(root, { recursive: true, force: true });
    }, 120_000);

    it('logs in, starts the server, runs 1+1 in a new notebook; after a hub restart the same notebook runs on', async () => {
      await page.goto(urls.hub('login'));
      await page.fill('#username', STUDENT);
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`**${urls.hub('home')}`);

      await page.locator('#start').click();
      await page.waitForURL(`**${urls.user(STUDENT, '', 'tree')}**`, { timeout: 90_000 });

      // As the notebook's own scripts do: with the XSRF token of Jupyter's `_xsrf` cookie, which
      // Jupyter checks on a browser's (cookie-authenticated) writes.
      // (Not the hub's `_xsrf` cookie, which lives under BASE/hub/ as JupyterHub's does.)
      const xsrf =
        (await page.context().cookies()).find((c) => c.name === '_xsrf' && !c.path.includes('/hub/'))
          ?.value ?? '';
      const created = await page.request.post(urls.user(STUDENT, '', 'api/contents'), {
        data: { type: 'notebook' },
        headers: { 'X-XSRFToken': decodeURIComponent(xsrf) },
      });
      expect(created.status()).toBe(201);
      const { path } = (await created.json()) as { path: string };
      await page.goto(urls.user(STUDENT, '', `notebooks/${path}`));
      await page.locator('#kernel_indicator_icon.kernel_idle_icon').waitFor({ timeout: 90_000 });
      expect(await runCell(0, '1+1', '2')).toContain('2');
      // ... with the server under the egress policy: its kernel talks to it over loopback all the same.
      expect(readFileSync(join(root, 'hub.log'), 'utf8')).toContain('egress policy: nftables');

      await stopHubProcess();
      // With the hub down, the open notebook still works: the proxy and the server do not need it.
      expect(await runCell(1, 'print(6*7)', '42')).toContain('42');
      hubProcess = await startHubProcess();
      expect(proxyProcess!.exitCode).toBeNull(); // the same proxy process throughout

      expect(await runCell(2, 'import os; print(os.getuid() != 0, 40+2)', 'True 42')).toContain('True 42');
      expect(
        await page
          .locator('#notification_kernel')
          .isVisible()
          .catch(() => false),
      ).toBe(false);
    }, 300_000);
  },
);
