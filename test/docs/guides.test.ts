// The guides are tested (issue 18 item 4): every shell block docs/guide-*.md marks runnable is run,
// in order, against a fresh hub this test starts (its own data directory, ports and nft egress
// table), with the built `coursehub` command on the PATH as on the hub's machine; a block that
// exits non-zero fails the test with its output. Between the guides' steps Chromium opens the
// pages they show and writes the screenshots in docs/img/, so the committed pictures are the
// ones this run made. The admin's blocks run as root in a scratch folder holding a copy of the
// repository's examples/ (the guide runs them in a checkout); `token=USER` blocks run there with
// USER's API token, as in that user's terminal; `as=USER` blocks run as USER's own Unix account
// in their home.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { ensureUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { removeEgressTable, testEgressTable } from '../support/egress-table.js';
import { runnableBlocks, type RunnableBlock } from './support/runnable-blocks.js';

const REPO = new URL('../../', import.meta.url).pathname;
const DOCS = join(REPO, 'docs');
const CLI = join(REPO, 'bin', 'coursehub.js');
/** The people and course the guides use. */
const GUIDE_USERS = ['prof_ada', 'stu_ben', 'stu_cleo'];
const COURSE = 'phys101';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('the guides in docs/, run against a fresh hub', () => {
  let hub: TestHub;
  let browser: Browser;
  let scratch: string;
  let binDir: string;
  let configFile: string;
  const table = testEgressTable('guides');

  beforeAll(async () => {
    for (const user of GUIDE_USERS) removeUnixAccount(user);
    await removeCourseGroup(COURSE).catch(() => false);
    hub = await startTestHub({ users: [], admins: ['chguide_admin'], spawner: { network: { table } } });
    scratch = mkdtempSync(join(tmpdir(), 'coursehub-guides-'));
    chmodSync(scratch, 0o755);
    cpSync(join(REPO, 'examples'), join(scratch, 'examples'), { recursive: true });
    // `coursehub` on the PATH, for root and for the users' own accounts alike.
    binDir = join(scratch, 'bin');
    mkdirSync(binDir, { mode: 0o755 });
    writeFileSync(join(binDir, 'coursehub'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`, {
      mode: 0o755,
    });
    // The hub's configuration, for the commands that work on its data directory.
    const { config } = hub.services;
    configFile = join(scratch, 'coursehub.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        hub: { dataDir: config.hub.dataDir },
        spawner: { local: { homeRoot: config.spawner.local.homeRoot }, network: { table } },
      }),
    );
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.services.courseJobs.idle();
    await hub?.dispose();
    for (const user of GUIDE_USERS) removeUnixAccount(user);
    await removeCourseGroup(COURSE).catch(() => false);
    removeEgressTable(table);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs one block as the guide says; rejects with its output when it exits non-zero. */
  async function run(guide: string, block: RunnableBlock): Promise<string> {
    const env: Record<string, string> = {
      PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
      COURSEHUB_CONFIG: configFile,
      JUPYTERHUB_API_URL: `${hub.hubUrl}${hub.urls.api()}`,
      HOME: scratch,
      LANG: 'C.UTF-8',
    };
    // --norc: Debian's bash reads bash.bashrc when its input is a socket, as under execFile.
    let command = ['bash', '--norc', '--noprofile', '-euo', 'pipefail', '-c', block.script];
    let cwd = scratch;
    if (block.runs.kind !== 'admin') env.JUPYTERHUB_API_TOKEN = await hub.token(block.runs.user);
    if (block.runs.kind === 'as') {
      const account = await ensureUnixAccount(block.runs.user, hub.services.config.spawner.local.homeRoot);
      command = [
        '/usr/bin/setpriv',
        `--reuid=${account.uid}`,
        `--regid=${account.gid}`,
        '--clear-groups',
        ...command,
      ];
      cwd = env.HOME = account.home;
    }
    // A child awaited, never spawnSync: the hub answering it runs in this very process.
    return new Promise((resolve, reject) => {
      execFile(
        command[0]!,
        command.slice(1),
        { cwd, env, encoding: 'utf8', timeout: 120_000 },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new Error(
                `${guide}:${block.line} (${block.runs.kind}) failed: ${error.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
              ),
            );
          else resolve(stdout);
        },
      );
    });
  }

  /** Runs the guide's blocks in order; `after(block)` does what the guide's prose says happens next. */
  async function runGuide(name: string, after?: (block: RunnableBlock) => Promise<void>): Promise<number> {
    const blocks = runnableBlocks(readFileSync(join(DOCS, name), 'utf8'));
    for (const block of blocks) {
      await run(name, block);
      await after?.(block);
    }
    return blocks.length;
  }

  /** `user`'s page at `path` (asserted 200), in a browser of their own. */
  async function open(user: string, path: string) {
    const opened = await newPage(browser, hub.hubUrl);
    const session = await hub.session(user);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${hub.hubUrl}/` },
    ]);
    await opened.page.setViewportSize({ width: 1100, height: 760 });
    const response = await opened.page.goto(path);
    expect(response?.status(), `${path} as ${user}`).toBe(200);
    return opened;
  }

  function imageFile(file: string): string {
    mkdirSync(join(DOCS, 'img'), { recursive: true });
    return join(DOCS, 'img', file);
  }

  /** A screenshot of `path` as `user` into docs/img/FILE. */
  async function screenshot(user: string, path: string, file: string): Promise<void> {
    const { context, page } = await open(user, path);
    await page.screenshot({ path: imageFile(file) });
    await context.close();
  }

  /**
   * Section 5 of the instructor's guide, in the browser: Ada gives Ben's written answer (the
   * sample's manually graded cell `explain`, 2 points) full credit and a comment on the grading page.
   */
  async function gradeByHand(): Promise<void> {
    await screenshot('prof_ada', `/hub/courses/${COURSE}/grading/ps1`, 'grading-list.png');
    const { context, page } = await open('prof_ada', `/hub/courses/${COURSE}/grading/ps1/stu_ben/hello`);
    const explain = page.locator('.grading[data-cell="explain"]');
    /** Does `action` and waits for the page's save (a PUT the hub accepted). */
    const saved = async (action: () => Promise<void>) => {
      const answer = page.waitForResponse((r) => r.request().method() === 'PUT');
      await action();
      expect((await answer).status()).toBe(200);
    };
    await saved(async () => {
      await explain
        .locator('.comment')
        .fill('Full credit this time; next time, say why the empty list is an error.');
      await explain.locator('.comment').blur();
    });
    await saved(() => explain.locator('.full-credit').click());
    await expect.poll(() => explain.locator('.save-state').textContent()).toBe('Saved.');
    await explain.scrollIntoViewIfNeeded();
    await page.screenshot({ path: imageFile('grading-notebook.png') });
    await context.close();
  }

  it('the instructor’s guide: a class from nothing to exported grades', async () => {
    const blocks = await runGuide('guide-instructor.md', async (block) => {
      if (block.script.includes('release_assignment'))
        await screenshot('prof_ada', `/hub/courses/${COURSE}`, 'instructor-course.png');
      if (block.script.includes('nbgrader autograde')) await gradeByHand();
    });
    expect(blocks).toBeGreaterThanOrEqual(6);
    // What the guide's last steps left: grades.csv in nbgrader's columns, where Ben's score is the
    // full credit given by hand (he submitted the sample unanswered: its tests fail, 0 of 3), and
    // his feedback, with the comment, fetched into his home.
    const [header, ...rows] = readFileSync(join(scratch, 'grades.csv'), 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const ben = rows
      .map((row) => row.split(','))
      .find((row) => row[columns.indexOf('student_id')] === 'stu_ben');
    expect(ben, 'Ben in grades.csv').toBeDefined();
    expect(Number(ben![columns.indexOf('score')])).toBe(2);
    const home = (await ensureUnixAccount('stu_ben', hub.services.config.spawner.local.homeRoot)).home;
    const feedbackDir = join(home, COURSE, 'ps1', 'feedback');
    const page = readdirSync(feedbackDir, { recursive: true, encoding: 'utf8' }).find((f) =>
      f.endsWith('hello.html'),
    );
    expect(page, `hello.html under ${feedbackDir}`).toBeDefined();
    expect(readFileSync(join(feedbackDir, page!), 'utf8')).toContain(
      'next time, say why the empty list is an error',
    );
  }, 600_000);

  it('the student’s guide, on the assignment the instructor released', async () => {
    expect(await runGuide('guide-student.md')).toBeGreaterThanOrEqual(1);
    await screenshot('stu_cleo', `/hub/courses/${COURSE}`, 'student-course.png');
  }, 300_000);

  it('the admin’s guide, on the same hub', async () => {
    expect(await runGuide('guide-admin.md')).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
