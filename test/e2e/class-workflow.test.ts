// The class workflow of issue 12 end to end, in real Chromium, through the real proxy to a real
// hub and the students' own real Jupyter servers (Debian's notebook 6.4): the instructor
// generates and releases from the instructor page; two students fetch from the student page, open
// the notebook in their own Jupyter, change the answer, run it, save it and submit from the
// student page; the instructor collects, autogrades, generates and releases feedback (jobs with
// progress in the page); each student sees only their own feedback, with the score the gradebook
// holds. Then a hostile submission (a <script>, onerror=, javascript: links, SVG with script, raw
// HTML and JavaScript outputs) is graded, and its feedback, opened by that student and by the
// instructor, runs nothing: no dialog, no console error, no script, handler or javascript: URL.
// Twice: with the local spawner (Unix accounts and homes), and with the Docker spawner (each
// student's server in a container, the exchange reading and writing their volumes).
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { spawnerFactoryFromConfig } from '../../src/hub/spawner/factory.js';
import type { UserStorage } from '../../src/hub/spawner/spawner.js';
import {
  DOCKER_SETUP_TIMEOUT_MS,
  dockerSpawnerSettings,
  dockerTestImage,
  removeDockerLeftovers,
} from '../docker/support/docker-env.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chcw_prof';
const GRADER = 'chcw_grader';
const AMY = 'chcw_amy';
const BOB = 'chcw_bob';
const MAL = 'chcw_mal';
const A = 'cwa';
const B = 'cwb';

const isRoot = process.getuid?.() === 0;

const SPAWNERS = ['local', 'docker'] as const;

describe.runIf(isRoot).each(SPAWNERS)('end to end: a class through the hub (the %s spawner)', (spawner) => {
  let ch: CourseHub;
  /** A user's files as the hub's spawner keeps them (a home, a volume), with the user's rights. */
  let storageOf: (name: string) => UserStorage;
  let browser: Browser;
  let base: string;
  const coursePage = `/hub/courses/${A}`;

  /** A page of `name`'s own browser (own cookie jar), logged in to the hub. */
  async function pageAs(name: string) {
    const opened = await newPage(browser, base);
    const session = await ch.hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${base}/` },
    ]);
    const dialogs: string[] = [];
    // Answers of the hub that refused or failed (the browser's own favicon request aside).
    const hubFailures: string[] = [];
    opened.page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400 && path.startsWith('/hub/') && path !== '/hub/favicon.ico')
        hubFailures.push(`${r.status()} ${path}`);
    });
    opened.page.on('dialog', (dialog) => {
      // Jupyter asks before leaving a notebook page; that is not a script of anyone's running.
      if (dialog.type() === 'beforeunload') return void dialog.accept();
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    // Console errors but the one a missing resource makes (favicon.ico): each is listed in hubFailures.
    const errors = () => opened.pageErrors.filter((e) => !/^Failed to load resource/.test(e));
    return { ...opened, dialogs, hubFailures, errors };
  }

  /** Clicks a form button of the assignment's row or section and waits for the page it posts to. */
  async function clickAction(page: Page, action: string) {
    await page.locator(`[data-assignment="ps1"] [data-action="${action}"]`).first().click();
    await page.waitForURL(`**/${action}/ps1`);
  }

  /** Runs a job from the instructor page and waits until the page shows it finished. */
  async function runJob(page: Page, kind: string) {
    const before = await page.locator('tr.job').count();
    await page.locator(`tr[data-assignment="ps1"] [data-action="${kind}"]`).click();
    await page.waitForURL(`**${coursePage}`);
    await page.locator('tr.job').nth(before).waitFor();
    // The page's script polls the job and opens the page again when it is done.
    await expect
      .poll(() => page.locator('tr.job').first().getAttribute('data-state'), {
        timeout: 240_000,
        interval: 500,
      })
      .not.toBe('running');
    // The script opens the page again itself; open it here too, so nothing below reads the old one
    // (once more if the script's own navigation cut this one short).
    await expect
      .poll(
        () =>
          page.goto(coursePage).then(
            () => true,
            () => false,
          ),
        { timeout: 30_000 },
      )
      .toBe(true);
    const job = page.locator('tr.job').first();
    expect(await job.locator('td').first().textContent()).toBe(kind);
    expect(
      await job.getAttribute('data-state'),
      (await job.locator('.job-message').textContent()) ?? '',
    ).toBe('succeeded');
  }

  /** The student, in their own browser: Fetch, their Jupyter (start, open, answer, run, save), Submit. */
  async function studentWorks(name: string, answer: string) {
    const { page, context, errors, hubFailures } = await pageAs(name);
    await page.goto('/hub/home');
    await page.locator(`#courses a[data-course="${A}"]`).click();
    await page.waitForURL(`**${coursePage}`);
    expect(await page.locator('section.assignment[data-assignment="ps1"]').getAttribute('data-state')).toBe(
      'not fetched',
    );
    await clickAction(page, 'fetch');
    await expect(page.locator('.flash.info').textContent()).resolves.toContain('Fetched ps1 (version 1)');
    expect(await page.locator('section.assignment').getAttribute('data-state')).toBe('fetched');

    // Her own Jupyter: start the server from the home page, open the fetched notebook.
    await page.goto('/hub/home');
    await page.locator('#start').click();
    await page.waitForURL(`**/user/${name}/tree**`, { timeout: 90_000 });
    await page.goto(`/user/${name}/notebooks/${A}/ps1/p1.ipynb`);
    await page.waitForFunction(
      'window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()',
      undefined,
      { timeout: 90_000 },
    );
    // The answer cell is the first code cell: replace its stub, run it and the test after it.
    const cell = page.locator('.code_cell').nth(0);
    await expect(cell.locator('.CodeMirror').textContent()).resolves.toContain('NotImplementedError');
    await cell.locator('.CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(answer);
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.press('Shift+Enter');
    await page.waitForFunction(
      "Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code' && c.get_text() !== '').every((c) => typeof c.input_prompt_number === 'number')",
      undefined,
      { timeout: 60_000 },
    );
    await page.locator('[data-jupyter-action="jupyter-notebook:save-notebook"]').click();
    const savedSources = async () => {
      const text = await storageOf(name).readFile(`${A}/ps1/p1.ipynb`);
      const saved = JSON.parse(text.toString('utf8')) as {
        cells: { source: string | string[] }[];
      };
      return saved.cells.map((c) => [c.source].flat().join('')).join('\n');
    };
    await expect.poll(savedSources, { timeout: 30_000 }).toContain(answer);

    // Back to the student page: Submit; the receipt is shown and listed.
    await page.goto(coursePage);
    await clickAction(page, 'submit');
    const flash = (await page.locator('.flash').textContent()) ?? '';
    const [own] = (await ch.hub.services.exchange.list(A, { name })).assignments;
    const receipt = own!.submissions.at(-1)!;
    expect(flash).toContain(`Submitted ps1 at ${receipt.timestamp} UTC`);
    expect(flash).toContain(`Receipt: sha256 ${receipt.checksum}`);
    expect(await page.locator('.receipt .checksum').last().textContent()).toBe(receipt.checksum);
    expect(await page.locator('section.assignment').getAttribute('data-state')).toBe('submitted');
    // The server is stopped again (two cores, shared): the rest works without it.
    await (
      await ch.hub.services.servers.stop(name)
    ).done;
    expect(errors()).toEqual([]);
    expect(hubFailures).toEqual([]);
    await context.close();
  }

  const everyone = [AMY, BOB, MAL, PROF, GRADER, 'chcw_oprof', 'chcw_ostud', 'chcw_admin'];

  beforeAll(async () => {
    const spawnerSettings =
      spawner === 'docker'
        ? { class: 'docker', docker: dockerSpawnerSettings(await dockerTestImage()) }
        : undefined;
    if (spawner === 'docker') await removeDockerLeftovers(everyone);
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: [AMY, BOB, MAL],
        otherProf: 'chcw_oprof',
        otherStudent: 'chcw_ostud',
        admin: 'chcw_admin',
      },
      { a: A, b: B },
      '/',
      spawnerSettings,
    );
    const { config } = ch.hub.services;
    const factory = spawnerFactoryFromConfig(config.spawner, {
      logDir: join(config.hub.dataDir, 'logs', 'servers'),
      log: pino({ level: 'silent' }),
    });
    storageOf = (name) => factory(name, '').storage;
    base = ch.hub.proxy.publicUrl.replace(/\/$/, '');
    browser = await launchBrowser();
  }, DOCKER_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await ch?.dispose();
    if (spawner === 'docker') await removeDockerLeftovers(everyone);
  });

  it('the instructor generates and releases ps1 from the instructor page', { timeout: 120_000 }, async () => {
    const { page, context, errors, hubFailures } = await pageAs(PROF);
    await page.goto(coursePage);
    await page.locator('#add-assignment input[name="name"]').fill('ps1');
    await page.locator('#add-assignment input[name="duedate"]').fill('2099-06-01T12:00');
    await page.locator('[data-action="add-assignment"]').click();
    await expect(page.locator('.flash.info').textContent()).resolves.toContain('Assignment ps1 saved.');
    await clickAction(page, 'generate');
    await expect(page.locator('.flash.info').textContent()).resolves.toContain(
      'Generated release/ps1/: p1.ipynb.',
    );
    await clickAction(page, 'release');
    await expect(page.locator('.flash.info').textContent()).resolves.toContain('Released ps1 as version 1');
    expect(await page.locator('tr[data-assignment="ps1"]').getAttribute('data-released')).toBe('yes');
    expect(errors()).toEqual([]);
    expect(hubFailures).toEqual([]);
    await context.close();
  });

  it(
    'two students fetch, answer in their own Jupyter, save and submit from the student page',
    { timeout: 400_000 },
    async () => {
      await studentWorks(AMY, 'a = 1');
      await studentWorks(BOB, 'a = 2');
    },
  );

  it(
    'the instructor collects, autogrades, generates and releases feedback; each student sees only their own, with the gradebook’s score',
    { timeout: 600_000 },
    async () => {
      const { page, context, errors, hubFailures } = await pageAs(PROF);
      await page.goto(coursePage);
      expect(await page.locator('tr[data-assignment="ps1"] .submitted').textContent()).toBe('2');
      await runJob(page, 'collect');
      await runJob(page, 'autograde');
      expect(await page.locator('tr[data-assignment="ps1"] .autograded').textContent()).toBe('2');
      await runJob(page, 'feedback');
      expect(errors()).toEqual([]);
      expect(hubFailures).toEqual([]);
      await context.close();

      const table = await ch.hub.services.courseWork.gradebook(A, { name: PROF });
      const scores = Object.fromEntries([AMY, BOB].map((s) => [s, table.cells[s]!.ps1!] as const));
      expect(scores[AMY]).toMatchObject({ score: 1, maxScore: 1 });
      expect(scores[BOB]).toMatchObject({ score: 0, maxScore: 1 });

      const links: Record<string, string> = {};
      for (const name of [AMY, BOB]) {
        const { page, context, errors, hubFailures, dialogs } = await pageAs(name);
        await page.goto(coursePage);
        expect(await page.locator('section.assignment').getAttribute('data-state')).toBe('feedback ready');
        const anchors = page.locator('a[data-feedback]');
        expect(await anchors.count()).toBe(1);
        expect(await page.locator('li.feedback').getAttribute('data-feedback-student')).toBe(name);
        links[name] = (await anchors.getAttribute('href'))!;
        await anchors.click();
        await page.waitForURL(`**${links[name]}`);
        const { score, maxScore } = scores[name]!;
        await expect(page.locator('body').textContent()).resolves.toContain(
          `p1 (Score: ${score.toFixed(1)} / ${maxScore.toFixed(1)})`,
        );
        expect(errors()).toEqual([]);
        expect(hubFailures).toEqual([]);
        expect(dialogs).toEqual([]);
        await context.close();
      }
      expect(links[AMY]).not.toBe(links[BOB]);
      // Each student's browser, asking for the other's page, gets nothing.
      for (const [name, other] of [
        [AMY, BOB],
        [BOB, AMY],
      ] as const) {
        const { page, context } = await pageAs(name);
        const answer = await page.goto(links[other]!);
        expect(answer?.status()).toBe(404);
        expect(await page.locator('body').textContent()).not.toContain('Score:');
        await context.close();
      }
    },
  );

  it(
    'a hostile submission’s feedback, opened by the student and by the instructor, runs nothing',
    { timeout: 600_000 },
    async () => {
      // Mallory fetches and writes her notebook herself (as she could in her server): outputs
      // that grading makes again (HTML with script and handlers, SVG with script, JavaScript),
      // and markdown with raw HTML and javascript: links, which grading keeps.
      await ch.hub.services.exchange.fetch(A, 'ps1', { name: MAL });
      const file = `${A}/ps1/p1.ipynb`;
      const notebook = JSON.parse((await storageOf(MAL).readFile(file)).toString('utf8')) as {
        cells: Record<string, unknown>[];
      };
      const answer = notebook.cells.find((c) => c.id === 'answer')!;
      answer.source = [
        'from IPython.display import HTML, SVG, Javascript, display\n',
        `display(HTML('<script>alert("html-script")</script><img src="data:," onerror="alert(1)"><a id="js" href="javascript:alert(2)">js link</a><iframe src="javascript:alert(3)"></iframe>'))\n`,
        `display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(4)"><script>alert(5)</script><a href="javascript:alert(6)"><circle r="9"/></a></svg>'))\n`,
        "display(Javascript('alert(7)'))\n",
        'a = 1',
      ];
      notebook.cells.splice(1, 0, {
        cell_type: 'markdown',
        id: 'hostile-md',
        metadata: {},
        source:
          'Raw: <script>alert(8)</script><img src="data:," onerror="alert(9)"> [link](javascript:alert(10)) <a href="javascript:alert(11)">a</a> <svg><script>alert(12)</script></svg> <form action="javascript:alert(13)"><button>b</button></form>',
      });
      await storageOf(MAL).writeFile(file, JSON.stringify(notebook));
      await ch.hub.services.exchange.submit(A, 'ps1', { name: MAL });

      const instructor = await pageAs(PROF);
      await instructor.page.goto(coursePage);
      await runJob(instructor.page, 'collect');
      await runJob(instructor.page, 'autograde');
      await runJob(instructor.page, 'feedback');
      const row = instructor.page.locator(`#gradebook tr[data-student="${MAL}"]`);
      await expect(row.locator('[data-assignment="ps1"]').getAttribute('data-score')).resolves.toBe('1');

      const student = await pageAs(MAL);
      await student.page.goto(coursePage);
      const href = (await student.page.locator('a[data-feedback]').getAttribute('href'))!;
      for (const viewer of [student, instructor]) {
        const { page } = viewer;
        if (viewer === instructor) {
          await page.goto(coursePage);
          await page.locator(`#gradebook tr[data-student="${MAL}"] a[data-feedback]`).click();
        } else await page.locator('a[data-feedback]').click();
        await page.waitForURL(`**${href}`);
        const body = page.locator('body');
        // The hostile notebook was rendered (its texts are there), made inert.
        await expect(body.textContent()).resolves.toContain('js link');
        expect(await page.locator('script').count()).toBe(0);
        expect(await page.locator('iframe, object, embed, form').count()).toBe(0);
        const handlers = await page.evaluate(
          `[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map((a) => e.tagName + ' ' + a.name))`,
        );
        expect(handlers).toEqual([]);
        // Clicking what were javascript: links does nothing either.
        for (const link of await page.locator('a').all())
          await link.click({ timeout: 2_000 }).catch(() => undefined);
        await page.waitForTimeout(500);
        expect(viewer.dialogs).toEqual([]);
        expect(viewer.errors()).toEqual([]);
      }
      await student.context.close();
      await instructor.context.close();
    },
  );
});
