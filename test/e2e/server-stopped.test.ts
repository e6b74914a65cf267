// A student's Jupyter dies (issue 17, item 6), in real Chromium against the real hub (`coursehub
// start`, its proxy a process of its own) and a real Jupyter server: killed with SIGKILL, and
// killed by the out-of-memory killer of its cgroup. The poll loop is made slow (an hour), so only
// the proxy's word to the hub can heal it: the student's next page is the hub's, saying the
// server stopped (and that it ran out of memory), with a button that starts it again and takes
// her back to where she was going.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { cgroupPids } from '../../src/sandbox/cgroup.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { startRealHub, type RealHub } from '../support/hub.js';

const ALICE = 'chstop_alice';
const MEMORY_LIMIT_MB = 256;
let hub: RealHub;
let homes: string;
let browser: Browser;
let page: Page;

/** The server's processes' cgroup folders, as the spawner saved them. */
function cgroupDirs(): string[] {
  const live = hub.hub.services.servers.readyServers().find((s) => s.userName === ALICE);
  if (!live) throw new Error(`${ALICE}'s server is not running`);
  return live.spawner.getState().cgroupDirs as string[];
}

/** The Jupyter server's own process (python, under bwrap and its init), found in its cgroup. */
function jupyterPid(): number {
  for (const pid of cgroupPids(cgroupDirs())) {
    try {
      const [program = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/python3/.test(program) && args.some((arg) => arg.endsWith('jupyter-notebook'))) return pid;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error('no jupyter-notebook process in the server cgroup');
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`process ${pid} did not end`);
}

async function startAndOpenTree(): Promise<void> {
  await (
    await hub.hub.services.servers.start(ALICE)
  ).ready;
  const tree = await page.goto(new URL(`user/${ALICE}/tree`, hub.url).href);
  expect(tree?.status()).toBe(200);
}

beforeAll(async () => {
  removeUnixAccount(ALICE);
  homes = mkdtempSync(join(tmpdir(), 'coursehub-stopped-homes-'));
  chmodSync(homes, 0o755);
  hub = await startRealHub({
    config: {
      auth: { authenticator: 'dummy' },
      spawner: { pollIntervalSeconds: 3600, memoryLimitMb: MEMORY_LIMIT_MB, local: { homeRoot: homes } },
    },
  });
  await hub.hub.services.users.create({ name: ALICE });
  browser = await launchBrowser();
  const opened = await newPage(browser);
  page = opened.page;
  const session = await hub.hub.services.sessions.create(ALICE);
  await opened.context.addCookies([
    { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: hub.url, httpOnly: true, sameSite: 'Lax' },
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const servers = hub?.hub.services.servers;
  if (servers?.status(ALICE)) await (await servers.stop(ALICE)).done.catch(() => undefined);
  await hub?.stop();
  removeUnixAccount(ALICE);
  rmSync(homes, { recursive: true, force: true });
});

describe("a student's Jupyter that dies", () => {
  it(
    'killed with SIGKILL: her next page says it stopped, and starts it again',
    { timeout: 180_000 },
    async () => {
      await startAndOpenTree();
      const pid = jupyterPid();
      process.kill(pid, 'SIGKILL');
      await gone(pid);

      await page.goto(new URL(`user/${ALICE}/notebooks/work.ipynb`, hub.url).href);
      expect(new URL(page.url()).pathname).toBe(`/hub/user/${ALICE}/notebooks/work.ipynb`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Your server stopped');
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(
        /^Your server stopped unexpectedly at .* UTC \(.+\)\. Start it again/,
      );
      // Torn down at once, on the proxy's word: the poll loop would have waited an hour.
      expect(hub.hub.services.servers.status(ALICE)).toBeUndefined();

      await page.locator('#start').click();
      await page.waitForURL((url) => url.pathname === `/user/${ALICE}/notebooks/work.ipynb`, {
        timeout: 90_000,
      });
      expect(hub.hub.services.servers.status(ALICE)?.ready).toBe(true);
    },
  );

  it(
    'killed by the out-of-memory killer: her next page says it ran out of memory',
    { timeout: 180_000 },
    async () => {
      if (!hub.hub.services.servers.status(ALICE)) await startAndOpenTree();
      else await page.goto(new URL(`user/${ALICE}/tree`, hub.url).href);
      const memory = cgroupDirs().find((dir) => dir.startsWith('/sys/fs/cgroup/memory/'));
      expect(memory, 'the server has a memory cgroup (memoryLimitMb)').toBeDefined();
      // Make Jupyter the one the kernel's OOM killer picks, then fill the server's memory from a
      // process in the same cgroup, as a student's code would.
      const pid = jupyterPid();
      writeFileSync(`/proc/${pid}/oom_score_adj`, '1000');
      const hog = spawn(
        '/bin/sh',
        [
          '-c',
          `echo $$ > ${memory}/cgroup.procs && exec python3 -c "s = ' ' * (${MEMORY_LIMIT_MB * 2} << 20); import time; time.sleep(60)"`,
        ],
        { stdio: 'ignore' },
      );
      try {
        await gone(pid);
      } finally {
        hog.kill('SIGKILL');
      }

      await page.goto(new URL(`user/${ALICE}/tree`, hub.url).href);
      expect(new URL(page.url()).pathname).toBe(`/hub/user/${ALICE}/tree`);
      await expect(page.locator('#server-status').textContent()).resolves.toMatch(
        /^Your server stopped at .* UTC: it ran out of memory/,
      );
      expect(await page.locator('#start').count()).toBe(1);
    },
  );
});
