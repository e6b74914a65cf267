// Grading by hand in real Chromium through the real proxy and hub (issue 14, items 1-3): a course
// with an assignment that has an autograded test (with hidden tests) and a manually graded written
// answer; three students submit (one a hostile notebook), the submissions are collected and
// autograded in the sandbox. Then: a grader grades with the keyboard alone and the gradebook,
// grades.csv and the regenerated feedback show it; the hostile notebook runs and covers nothing;
// graders grade but cannot release or change roles, students reach nothing; anonymous grading
// never sends a name to the browser; two graders saving one field lose nothing silently.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCourse, findStudentPk, requireAssignment } from '../../src/gradebook/courses.js';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chfg_prof';
const GRADER = 'chfg_grader';
const AMY = 'chfg_amy';
const BOB = 'chfg_bob';
const MAL = 'chfg_mal';
const STUDENTS = [AMY, BOB, MAL];
const A = 'fga';
const B = 'fgb';

const isRoot = process.getuid?.() === 0;
const nbgrader = (meta: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, ...meta } });

/** ps1/p1: an answer, an autograded test with hidden tests (1 point), a written answer graded by hand (2 points). */
const SOURCE = {
  cells: [
    { cell_type: 'markdown', id: 'intro', metadata: {}, source: 'Set `a` to 1, then explain $a^2$.' },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'answer',
      metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'answer' }),
      outputs: [],
      source: '### BEGIN SOLUTION\na = 1\n### END SOLUTION',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'test-a',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'test_a', points: 1 }),
      outputs: [],
      source: 'assert a == 1\n### BEGIN HIDDEN TESTS\nassert a * 2 == 2\n### END HIDDEN TESTS',
    },
    {
      cell_type: 'markdown',
      id: 'essay',
      metadata: nbgrader({ grade: true, solution: true, locked: false, grade_id: 'essay', points: 2 }),
      source: 'Because squares.',
    },
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

/** Markup that would run, cover the page or fetch from elsewhere if any of it got through. */
const HOSTILE_HTML =
  '<script>alert("html-script")</script><img src="data:," onerror="alert(1)"><a id="js" href="javascript:alert(2)">js link</a>' +
  '<iframe src="javascript:alert(3)"></iframe><div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;background:red">COVER</div>' +
  '<style>body{display:none} .grading{display:none}</style><link rel="stylesheet" href="http://evil.invalid/x.css">' +
  '<img src="http://evil.invalid/pixel.png"><form action="javascript:alert(13)"><button>b</button></form>';

describe.runIf(isRoot)('the formgrader in the browser', () => {
  let ch: CourseHub;
  let browser: Browser;
  let base: string;
  const list = `/hub/courses/${A}/grading/ps1`;
  const gradePage = (student: string) => `${list}/${student}/p1`;
  const api = (path: string) => `/hub/api/courses/${A}/assignments/ps1${path}`;

  async function pageAs(name: string) {
    const opened = await newPage(browser, base);
    const session = await ch.hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${base}/` },
    ]);
    const dialogs: string[] = [];
    const foreign: string[] = [];
    const hubFailures: string[] = [];
    opened.page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    opened.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== base) foreign.push(request.url());
    });
    opened.page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400 && path !== '/hub/favicon.ico' && path !== '/favicon.ico')
        hubFailures.push(`${r.status()} ${path}`);
    });
    const errors = () => opened.pageErrors.filter((e) => !/^Failed to load resource/.test(e));
    return { ...opened, dialogs, foreign, hubFailures, errors };
  }

  /** A JSON request with `name`'s browser session (cookie and CSRF token), as the page's script makes it. */
  async function apiAs(name: string, method: 'GET' | 'PUT', path: string, body?: unknown, csrf = true) {
    const session = await ch.hub.session(name);
    const response = await fetch(`${ch.hub.hubUrl}${path}`, {
      method,
      headers: {
        cookie: session.cookie,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(csrf ? { 'x-xsrf-token': session.csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      json: (await response.json().catch(() => null)) as Record<string, unknown>,
    };
  }

  /** The student fetches ps1, `change`s the notebook in their home (as they could in their server), submits. */
  async function studentSubmits(
    name: string,
    change: (notebook: { cells: Record<string, unknown>[] }) => void,
  ) {
    await ch.hub.services.exchange.fetch(A, 'ps1', { name });
    const account = (await lookupUnixAccount(name))!;
    const file = join(account.home, A, 'ps1', 'p1.ipynb');
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells: Record<string, unknown>[] };
    change(notebook);
    writeFileSync(file, JSON.stringify(notebook));
    await ch.hub.services.exchange.submit(A, 'ps1', { name });
  }

  const cell = (notebook: { cells: Record<string, unknown>[] }, id: string) =>
    notebook.cells.find((c) => c.id === id)!;

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: STUDENTS,
        otherProf: 'chfg_oprof',
        otherStudent: 'chfg_ostud',
        admin: 'chfg_admin',
      },
      { a: A, b: B },
    );
    writeFileSync(join(ch.courseDirA, 'source', 'ps1', 'p1.ipynb'), JSON.stringify(SOURCE, null, 1));
    const { courseWork, exchange } = ch.hub.services;
    const prof = { name: PROF };
    await courseWork.addAssignment(A, 'ps1', '2099-01-01 00:00', prof);
    await courseWork.generate(A, 'ps1', prof);
    await exchange.release(A, 'ps1', prof);
    await studentSubmits(AMY, (nb) => {
      cell(nb, 'answer').source = 'a = 1';
      cell(nb, 'essay').source = 'Because $1^2 = 1$.';
    });
    await studentSubmits(BOB, (nb) => {
      cell(nb, 'answer').source = 'a = 2';
    });
    await studentSubmits(MAL, (nb) => {
      cell(nb, 'answer').source = [
        'from IPython.display import HTML, SVG, Javascript, Markdown, display\n',
        `display(HTML(${JSON.stringify(HOSTILE_HTML)}))\n`,
        `display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(4)"><script>alert(5)</script><a href="javascript:alert(6)"><circle r="9"/></a></svg>'))\n`,
        "display(Javascript('alert(7)'))\n",
        `display(Markdown(${JSON.stringify('md output <img src=x onerror=alert(14)> [x](javascript:alert(15))')}))\n`,
        'a = 1',
      ];
      cell(nb, 'essay').source =
        `Essay ${HOSTILE_HTML} [link](javascript:alert(10)) <svg><script>alert(12)</script></svg>`;
    });
    await exchange.collect(A, 'ps1', prof);
    await courseWork.autograde(A, 'ps1', prof, () => undefined);
    base = ch.hub.proxy.publicUrl.replace(/\/$/, '');
    browser = await launchBrowser();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await ch?.dispose();
  });

  it('lists every student with state, time stamp and score, sorted and filtered on the server', async () => {
    const { page, context, errors } = await pageAs(GRADER);
    await page.goto(list);
    const rows = page.locator('#submissions tr.submission');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-student')))).toEqual(
      STUDENTS,
    );
    expect(await page.locator(`tr[data-student="${AMY}"] .state`).textContent()).toBe('needs manual grading');
    expect(await page.locator(`tr[data-student="${AMY}"] .score`).textContent()).toBe('1.0 / 3.0');
    expect(await page.locator(`tr[data-student="${BOB}"] .score`).textContent()).toBe('0.0 / 3.0');
    // Sorting by score, highest first, by following the column's links (no script involved).
    await page.locator('th a[data-sort="score"]').click();
    await page.locator('th a[data-sort="score"]').click();
    expect(page.url()).toContain('sort=score&order=desc');
    expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-student'))))[2]).toBe(BOB);
    // Filtering by student.
    await page.goto(`${list}?q=bob`);
    expect(await rows.count()).toBe(1);
    expect(errors()).toEqual([]);
    await context.close();
  });

  it(
    'a grader scores and comments with the keyboard alone, moves on, and the gradebook, grades.csv and the feedback show it',
    { timeout: 300_000 },
    async () => {
      const { page, context, errors, hubFailures, dialogs } = await pageAs(GRADER);
      await page.goto(list);
      await page.locator(`tr[data-student="${AMY}"] a.grade-link`).click();
      await page.waitForURL(`**${gradePage(AMY)}`);
      // Graders see the hidden tests, marked.
      await expect(page.locator('.nb-hidden-tests').textContent()).resolves.toContain('assert a * 2 == 2');
      // The first box has the focus: the answer's comment; Tab x3 reaches the essay's manual score.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Comment on answer',
      );
      for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Manual score of essay',
      );
      await page.keyboard.type('1.5');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Comment on essay',
      );
      await page.keyboard.type('Good **start**, mind the units.');
      if (process.env.COURSEHUB_SCREENSHOT)
        await page.screenshot({ path: process.env.COURSEHUB_SCREENSHOT, fullPage: true });
      await page.keyboard.press('Control+Period');
      await page.waitForURL(`**${gradePage(BOB)}?index=5`);
      // The same box of the next student has the focus.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Comment on essay',
      );
      expect(errors()).toEqual([]);
      expect(hubFailures).toEqual([]);
      expect(dialogs).toEqual([]);

      // The gradebook (the course page) shows 1 + 1.5.
      await page.goto(`/hub/courses/${A}`);
      expect(
        await page
          .locator(`#gradebook tr[data-student="${AMY}"] [data-assignment="ps1"]`)
          .getAttribute('data-score'),
      ).toBe('2.5');
      await context.close();

      // grades.csv, as the grader downloads it.
      const csv = await (await ch.as(GRADER, 'GET', `/hub/courses/${A}/grades.csv`)).text();
      const [header, ...lines] = csv.trim().split(/\r?\n/);
      const columns = header!.split(',');
      const amy = lines.map((l) => l.split(',')).find((l) => l[columns.indexOf('student_id')] === AMY)!;
      expect(Number(amy[columns.indexOf('raw_score')])).toBe(2.5);
      expect(Number(amy[columns.indexOf('score')])).toBe(2.5);

      // The regenerated feedback, as Amy reads it.
      await ch.hub.services.courseWork.generateFeedback(A, 'ps1', { name: PROF });
      await ch.hub.services.exchange.releaseFeedback(A, 'ps1', { name: PROF }, { student: AMY });
      const [feedback] = await ch.hub.services.exchange.releasedFeedback(A, { name: AMY });
      const html = (
        await ch.hub.services.exchange.feedbackPage(A, feedback!.id, 'p1.html', { name: AMY })
      ).data.toString();
      expect(html).toContain('p1 (Score: 2.5 / 3.0)');
      expect(html).toContain('Score: 1.5 / 2.0');
      expect(html).toContain('Good <strong>start</strong>, mind the units.');
      expect(html).not.toContain('assert a * 2 == 2');
    },
  );

  it(
    'a hostile notebook runs nothing, fetches nothing from elsewhere and covers nothing in the grading page',
    { timeout: 120_000 },
    async () => {
      const viewer = await pageAs(GRADER);
      const { page } = viewer;
      await page.goto(gradePage(MAL));
      await expect(page.locator('main').textContent()).resolves.toContain('js link');
      // The page's own script only; no handler, javascript: URL, frame, form or style element from the notebook.
      expect(await page.locator('script').evaluateAll((s) => s.map((e) => e.getAttribute('src')))).toEqual([
        '/hub/grading.js',
      ]);
      expect(
        await page
          .locator(
            '.nb-notebook iframe, .nb-notebook object, .nb-notebook embed, .nb-notebook form, style, link[href*="evil"]',
          )
          .count(),
      ).toBe(0);
      const handlers = await page.evaluate(
        `[...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map((a) => e.tagName + ' ' + a.name))`,
      );
      expect(handlers).toEqual([]);
      // Nothing covers the grading boxes: the element at the middle of each is the box itself.
      for (const box of await page.locator('.tabbable').all()) {
        await box.scrollIntoViewIfNeeded();
        const covered = await box.evaluate((element) => {
          const r = element.getBoundingClientRect();
          return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) !== element;
        });
        expect(covered).toBe(false);
      }
      expect(await page.locator('.grading').first().isVisible()).toBe(true);
      for (const link of await page.locator('.nb-notebook a').all())
        await link.click({ timeout: 2_000 }).catch(() => undefined);
      await page.waitForTimeout(500);
      expect(viewer.dialogs).toEqual([]);
      expect(viewer.errors()).toEqual([]);
      expect(viewer.foreign).toEqual([]);
      await viewer.context.close();
    },
  );

  it('graders grade but cannot release or change roles; students reach none of the grading pages or APIs', async () => {
    const save = { cell: 'essay', field: 'manual_score', value: 1, baseVersion: 0 };
    // A grader saves; a score above the cell's points is refused.
    expect((await apiAs(GRADER, 'PUT', api(`/grading/${BOB}/p1`), save)).status).toBe(200);
    const tooMuch = await apiAs(GRADER, 'PUT', api(`/grading/${BOB}/p1`), {
      ...save,
      value: 3,
      baseVersion: 1,
    });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.json.message).toContain('at most 2');
    // Without the CSRF token a cookie's save is refused.
    expect((await apiAs(GRADER, 'PUT', api(`/grading/${BOB}/p1`), save, false)).status).toBe(403);
    // Graders cannot release, change roles or reveal names.
    expect((await ch.as(GRADER, 'POST', `/hub/courses/${A}/release/ps1`)).status).toBe(403);
    const role = await fetch(`${ch.hub.hubUrl}/hub/api/courses/${A}/members/${AMY}`, {
      method: 'PUT',
      headers: { authorization: `token ${await ch.hub.token(GRADER)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'grader' }),
    });
    expect(role.status).toBe(403);
    expect((await ch.as(GRADER, 'POST', `${list}/anonymous`, { anonymous: 'yes' })).status).toBe(403);
    // Students (of this course and of another), and the other course's instructor: nothing.
    for (const name of [AMY, 'chfg_ostud', 'chfg_oprof']) {
      for (const path of [list, gradePage(AMY), gradePage(BOB), `${list}/question/p1/essay`])
        expect((await ch.as(name, 'GET', path)).status, `${name} GET ${path}`).toBe(403);
      expect((await apiAs(name, 'GET', api('/submissions'))).status).toBe(403);
      expect((await apiAs(name, 'GET', api(`/grading/${AMY}/p1`))).status).toBe(403);
      expect(
        (await apiAs(name, 'PUT', api(`/grading/${AMY}/p1`), { ...save, cell: 'essay', value: 2 })).status,
      ).toBe(403);
      expect((await ch.as(name, 'POST', `${list}/anonymous`, { anonymous: 'no' })).status).toBe(403);
    }
    // Nobody logged in: sent to log in, nothing shown.
    expect((await ch.as(null, 'GET', list)).status).toBe(302);
  });

  it('two graders saving the same cell at once lose nothing silently', { timeout: 120_000 }, async () => {
    // Through the API, at the same moment, both from version 0 of Mal's essay score.
    const path = api(`/grading/${MAL}/p1`);
    const [one, two] = await Promise.all([
      apiAs(GRADER, 'PUT', path, { cell: 'essay', field: 'manual_score', value: 0.5, baseVersion: 0 }),
      apiAs(PROF, 'PUT', path, { cell: 'essay', field: 'manual_score', value: 2, baseVersion: 0 }),
    ]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const later = (one.json.version as number) > (two.json.version as number) ? one : two;
    const earlier = later === one ? two : one;
    expect(earlier.json.conflict).toBeNull();
    expect(later.json.conflict).toMatchObject({ value: earlier.json.value, editedBy: earlier.json.savedBy });
    const state = await apiAs(PROF, 'GET', path);
    const essay = (state.json.cells as { gradeId: string; grade: { manualScore: number } }[]).find(
      (c) => c.gradeId === 'essay',
    )!;
    expect(essay.grade.manualScore).toBe(later.json.value);

    // In two browsers: both open Amy's page; the grader saves a comment, then the instructor saves
    // hers over it from the older version, and her page says whose value it replaced.
    const grader = await pageAs(GRADER);
    const prof = await pageAs(PROF);
    for (const { page } of [grader, prof]) await page.goto(gradePage(AMY));
    const comment = (page: Page) => page.getByLabel('Comment on answer');
    await comment(grader.page).fill('Grader says: fine.');
    await comment(grader.page).press('Escape');
    await expect
      .poll(() => grader.page.locator('[data-cell="answer"] .save-state').textContent())
      .toBe('Saved.');
    await comment(prof.page).fill('Instructor says: see me.');
    await comment(prof.page).press('Escape');
    const notice = prof.page.locator('[data-cell="answer"] .conflict');
    await notice.waitFor({ state: 'visible' });
    expect(await notice.textContent()).toContain(`Saved over ${GRADER}’s comment ("Grader says: fine."`);
    // The grader's page, which asks for the fields' versions every few seconds, shows the
    // instructor's value and says whose it is.
    const graderNotice = grader.page.locator('[data-cell="answer"] .conflict');
    await expect
      .poll(() => graderNotice.textContent(), { timeout: 30_000 })
      .toContain(`${PROF} saved comment "Instructor says: see me."`);
    expect(await comment(grader.page).inputValue()).toBe('Instructor says: see me.');
    // Both values are kept, in order, in the grading history.
    const stores = ch.hub.services.courseStores;
    const gradebookId = await ensureCourse(stores.gradebook, A);
    const assignment = await requireAssignment(stores.gradebook, gradebookId, 'ps1');
    const studentPk = await findStudentPk(stores.gradebook, gradebookId, AMY);
    const notebookId = await stores.gradebook.submissions.findSubmittedNotebookId(
      assignment.id,
      studentPk!,
      'p1',
    );
    const history = await stores.grading.history(notebookId!, 'answer', 'comment');
    expect(history.map((h) => [h.editedBy, JSON.parse(h.value) as string])).toEqual([
      [GRADER, 'Grader says: fine.'],
      [PROF, 'Instructor says: see me.'],
    ]);
    for (const viewer of [grader, prof]) {
      expect(viewer.errors()).toEqual([]);
      await viewer.context.close();
    }
  });

  it(
    'grades one question across every student, one after another, with the keyboard',
    { timeout: 120_000 },
    async () => {
      const { page, context, errors, hubFailures, dialogs, foreign } = await pageAs(GRADER);
      await page.goto(list);
      await page.locator('a.question-link[data-cell="essay"]').click();
      await page.waitForURL(`**${list}/question/p1/essay`);
      const entries = page.locator('article.question-entry');
      expect(await entries.evaluateAll((a) => a.map((e) => e.getAttribute('data-student')))).toEqual(
        STUDENTS,
      );
      // Each student's own answer is shown (Mal's hostile one inert).
      await expect(entries.nth(0).textContent()).resolves.toContain('Because');
      // The first box is Amy's essay score: 2, then Ctrl+. to Bob's score: 0.5.
      expect(
        await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-student')),
      ).toBe(AMY);
      await page.keyboard.press('Control+A');
      await page.keyboard.type('2');
      await page.keyboard.press('Control+Period');
      expect(
        await page.evaluate(() => document.activeElement?.closest('article')?.getAttribute('data-student')),
      ).toBe(BOB);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-field'))).toBe(
        'manual_score',
      );
      await page.keyboard.press('Control+A');
      await page.keyboard.type('0.5');
      await page.keyboard.press('Escape');
      for (const student of [AMY, BOB])
        await expect
          .poll(() => page.locator(`article[data-student="${student}"] .save-state`).textContent())
          .toBe('Saved.');
      for (const [student, score] of [
        [AMY, 2],
        [BOB, 0.5],
      ] as const) {
        const state = await apiAs(PROF, 'GET', api(`/grading/${student}/p1`));
        const essay = (state.json.cells as { gradeId: string; grade: { manualScore: number } }[]).find(
          (c) => c.gradeId === 'essay',
        )!;
        expect(essay.grade.manualScore).toBe(score);
      }
      expect(await page.locator('.conflict:visible').count()).toBe(0);
      expect(errors()).toEqual([]);
      expect(hubFailures).toEqual([]);
      // Mal's hostile essay is on this page too: nothing ran or was fetched from elsewhere.
      expect(foreign).toEqual([]);
      expect(dialogs).toEqual([]);
      await context.close();
    },
  );

  it(
    'anonymous grading: no page or API answer the grader’s browser gets holds a student’s name',
    { timeout: 180_000 },
    async () => {
      const prof = await pageAs(PROF);
      await prof.page.goto(list);
      await prof.page.locator('[data-action="anonymous"]').click();
      await prof.page.waitForURL(`**${list}`);
      expect(await prof.page.locator('#anonymity').getAttribute('data-anonymous')).toBe('yes');
      await prof.context.close();

      const grader = await pageAs(GRADER);
      const bodies: { url: string; body: string }[] = [];
      grader.page.on('response', (response) => {
        void response
          .text()
          .then((body) => bodies.push({ url: response.url(), body }))
          .catch(() => undefined);
      });
      const { page } = grader;
      await page.goto(list);
      const keys = await page
        .locator('tr.submission')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-student')!));
      expect(keys).toHaveLength(3);
      for (const key of keys) expect(key).toMatch(/^anon-[0-9a-f]{10}$/);
      await page.locator('a.grade-link').first().click();
      await page.waitForURL(/\/grading\/ps1\/anon-[0-9a-f]{10}\/p1/);
      await page.keyboard.press('Tab');
      await page.keyboard.type('0.5');
      await page.keyboard.press('Control+Period');
      await page.waitForURL(/\?index=1$/);
      await page.keyboard.press('Control+Comma');
      await page.waitForURL(/\?index=1$/);
      await page.waitForLoadState('networkidle');
      await page.goto(list);
      await page.locator('a.question-link[data-cell="essay"]').click();
      await page.waitForURL(`**${list}/question/p1/essay`);
      expect(await page.locator('article.question-entry').count()).toBe(3);
      await page.waitForLoadState('networkidle');
      // The course page (its gradebook table and roster) and grades.csv, from the page and the API.
      await page.goto(`/hub/courses/${A}`);
      expect(await page.locator('#gradebook-anonymous').count()).toBe(1);
      expect(await page.locator('#students-hidden').count()).toBe(1);
      await page.waitForLoadState('networkidle');
      // The API answers the page's script got, and the JSON ones a script could ask for.
      const fetched = (url: string) => page.evaluate(async (at) => (await fetch(at)).text(), url);
      bodies.push({ url: 'submissions', body: await fetched(api('/submissions')) });
      for (const url of [`/hub/courses/${A}/grades.csv`, `/hub/api/courses/${A}/grades.csv`]) {
        const csv = await fetched(url);
        const ids = csv
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.split(',')[3]);
        expect(ids, url).toHaveLength(3);
        for (const id of ids) expect(id, url).toMatch(/^anon-[0-9a-f]{10}$/);
        bodies.push({ url, body: csv });
      }
      expect(bodies.length).toBeGreaterThan(5);
      for (const { url, body } of bodies)
        for (const name of STUDENTS) expect(body.includes(name), `${name} in ${url}`).toBe(false);
      // The real id is no key while names are hidden.
      expect((await ch.as(GRADER, 'GET', gradePage(AMY))).status).toBe(404);
      await grader.context.close();

      // The instructor reveals the names again.
      expect((await ch.as(PROF, 'POST', `${list}/anonymous`, { anonymous: 'no' })).status).toBe(303);
      expect((await ch.as(GRADER, 'GET', gradePage(AMY))).status).toBe(200);
    },
  );
});
