// The gradebook pages in real Chromium through the real proxy and hub (issue 14, items 4-5): a
// course whose assignment is long past its due date, with nbgrader's `zero` late penalty; Amy has
// an extension (on time), Bob has none (late: his score is taken off), Cat submits nothing. Their
// submissions are collected and autograded in the sandbox, a grader adds a manual score, extra
// credit and a comment. Then a grader opens the gradebook, drills down to a cell, downloads both
// CSVs (grades.csv equal to `coursehub nbgrader export --course`), and reads the analytics; every
// number is checked against values worked out here from the known answers. Students and
// strangers reach none of it; while anonymous grading is on no student's id reaches the browser.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCourse, setExtension } from '../../src/gradebook/courses.js';
import { SESSION_COOKIE_NAME } from '../../src/hub/auth/session-cookie.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { launchBrowser, newPage } from '../support/browser.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chgb_prof';
const GRADER = 'chgb_grader';
const AMY = 'chgb_amy';
const BOB = 'chgb_bob';
const CAT = 'chgb_cat';
const STRANGER_PROF = 'chgb_oprof';
const STRANGER = 'chgb_ostud';
const STUDENTS = [AMY, BOB, CAT];
const A = 'gba';
const B = 'gbb';
const DUE = '2020-01-01 00:00:00';
const COMMENT = 'Good <b>work</b> & "clear"';

const isRoot = process.getuid?.() === 0;
const run = promisify(execFile);
const nbgrader = (meta: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, ...meta } });

/** ps1/p1: two answers, two autograded tests (1 and 2 points), a written answer graded by hand (2 points). */
const SOURCE = {
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      id: 'answer',
      metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'answer' }),
      outputs: [],
      source: '### BEGIN SOLUTION\na = 1\nb = 2\n### END SOLUTION',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'test-a',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'test_a', points: 1 }),
      outputs: [],
      source: 'assert a == 1',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'test-b',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'test_b', points: 2 }),
      outputs: [],
      source: 'assert b == 2',
    },
    {
      cell_type: 'markdown',
      id: 'essay',
      metadata: nbgrader({ grade: true, solution: true, locked: false, grade_id: 'essay', points: 2 }),
      source: 'YOUR ANSWER HERE',
    },
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

/**
 * What the gradebook must hold, from the answers, nbgrader's rules (Grade.score = manual if given
 * else auto, plus extra credit) and the `zero` late policy (a late notebook loses its whole score).
 */
const EXPECTED = {
  [AMY]: {
    cells: {
      test_a: { auto: 1, manual: null, extra: 0.5, score: 1.5, max: 1 },
      test_b: { auto: 2, manual: null, extra: null, score: 2, max: 2 },
      essay: { auto: null, manual: 1.5, extra: null, score: 1.5, max: 2 },
    },
    late: false,
  },
  [BOB]: {
    cells: {
      test_a: { auto: 0, manual: null, extra: null, score: 0, max: 1 },
      test_b: { auto: 2, manual: null, extra: null, score: 2, max: 2 },
      // Left as released: nbgrader's determine_grade gives an unchanged written answer 0 at once.
      essay: { auto: 0, manual: null, extra: null, score: 0, max: 2 },
    },
    late: true,
  },
} as const;
const MAX = 5;
const raw = (student: keyof typeof EXPECTED) =>
  Object.values(EXPECTED[student].cells).reduce((total, c) => total + c.score, 0);
const penalty = (student: keyof typeof EXPECTED) => (EXPECTED[student].late ? raw(student) : 0);
const final = (student: keyof typeof EXPECTED) => raw(student) - penalty(student);

describe.runIf(isRoot)('the gradebook in the browser', () => {
  let ch: CourseHub;
  let browser: Browser;
  let base: string;
  const gradebook = `/hub/courses/${A}/gradebook`;

  async function pageAs(name: string) {
    const opened = await newPage(browser, base);
    const session = await ch.hub.session(name);
    await opened.context.addCookies([
      { name: SESSION_COOKIE_NAME, value: session.cookieValue, url: `${base}/` },
    ]);
    return opened;
  }

  async function studentSubmits(name: string, answer: string, essay?: string) {
    await ch.hub.services.exchange.fetch(A, 'ps1', { name });
    const account = (await lookupUnixAccount(name))!;
    const file = join(account.home, A, 'ps1', 'p1.ipynb');
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells: Record<string, unknown>[] };
    notebook.cells.find((c) => c.id === 'answer')!.source = answer;
    if (essay) notebook.cells.find((c) => c.id === 'essay')!.source = essay;
    writeFileSync(file, JSON.stringify(notebook));
    await ch.hub.services.exchange.submit(A, 'ps1', { name });
  }

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: STUDENTS,
        otherProf: STRANGER_PROF,
        otherStudent: STRANGER,
        admin: 'chgb_admin',
      },
      { a: A, b: B },
    );
    writeFileSync(join(ch.courseDirA, 'source', 'ps1', 'p1.ipynb'), JSON.stringify(SOURCE, null, 1));
    appendFileSync(
      join(ch.courseDirA, 'nbgrader_config.py'),
      "\nc.LateSubmissionPlugin.penalty_method = 'zero'\n",
    );
    const { courseWork, exchange, courseStores, formgrader } = ch.hub.services;
    const prof = { name: PROF };
    await courseWork.addAssignment(A, 'ps1', DUE, prof);
    await courseWork.generate(A, 'ps1', prof);
    await exchange.release(A, 'ps1', prof);
    await studentSubmits(AMY, 'a = 1\nb = 2', 'Squares grow.');
    await studentSubmits(BOB, 'a = 2\nb = 2');
    await exchange.collect(A, 'ps1', prof);
    // Amy's extension reaches well past now: her submission is on time.
    const gradebookId = await ensureCourse(courseStores.gradebook, A);
    await setExtension(courseStores.gradebook, gradebookId, 'ps1', AMY, 100 * 365 * 86400);
    await courseWork.autograde(A, 'ps1', prof, () => undefined);
    const grader = { name: GRADER };
    for (const change of [
      { cell: 'essay', field: 'manual_score', value: 1.5 },
      { cell: 'essay', field: 'comment', value: COMMENT },
      { cell: 'test_a', field: 'extra_credit', value: 0.5 },
    ] as const)
      await formgrader.save(A, 'ps1', AMY, 'p1', { ...change, baseVersion: 0 }, grader);
    base = ch.hub.proxy.publicUrl.replace(/\/$/, '');
    browser = await launchBrowser();
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await ch?.dispose();
  });

  it('shows students x assignments with totals, late marks and penalties, and drills down to the cells', async () => {
    const { page, context, pageErrors } = await pageAs(GRADER);
    await page.goto(gradebook);
    expect(await page.locator('#anonymity').getAttribute('data-anonymous')).toBe('no');
    const students = await page
      .locator('#gradebook-table tr.student')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-student')));
    expect([...students].sort()).toEqual([...STUDENTS].sort());
    const result = (student: string) =>
      page.locator(`tr[data-student="${student}"] td.result[data-assignment="ps1"]`);
    for (const student of [AMY, BOB] as const) {
      expect(Number(await result(student).getAttribute('data-score'))).toBeCloseTo(final(student), 9);
      expect(await result(student).locator('.late').count()).toBe(EXPECTED[student].late ? 1 : 0);
      expect(
        Number(await page.locator(`tr[data-student="${student}"] td.total`).getAttribute('data-total')),
      ).toBeCloseTo(final(student), 9);
    }
    expect(await result(BOB).locator('.penalty').textContent()).toBe(`−${penalty(BOB).toFixed(1)}`);
    expect(await result(AMY).locator('.extension').count()).toBe(1);
    expect((await result(CAT).textContent())!.trim()).toBe('—');

    // Down to Amy's cells: auto, manual, extra credit, score, the comment as text.
    await result(AMY).locator('a').click();
    await page.waitForURL(`**/gradebook/students/${AMY}/ps1`);
    expect(Number(await page.locator('#extension').getAttribute('data-seconds'))).toBe(100 * 365 * 86400);
    expect(await page.locator('#late').textContent()).toBe('no');
    expect(Number(await page.locator('#score').getAttribute('data-score'))).toBeCloseTo(final(AMY), 9);
    for (const [cell, want] of Object.entries(EXPECTED[AMY].cells)) {
      const row = page.locator(`section[data-notebook="p1"] tr.cell[data-cell="${cell}"]`);
      const num = async (cls: string) => {
        const text = (await row.locator(`td.${cls}`).textContent())!.trim();
        return text === '' ? null : Number(text);
      };
      expect(await num('auto')).toBe(want.auto);
      expect(await num('manual')).toBe(want.manual);
      expect(await num('extra')).toBe(want.extra);
      expect((await row.locator('td.score').textContent())!.trim()).toBe(
        `${want.score.toFixed(1)} / ${want.max.toFixed(1)}`,
      );
    }
    // The comment is text (escaped), not markup.
    expect(await page.locator('tr.cell[data-cell="essay"] td.comment').textContent()).toBe(COMMENT);
    expect(await page.locator('tr.cell[data-cell="essay"] td.comment b').count()).toBe(0);
    // Bob: late by years, the penalty shown.
    await page.goto(`${gradebook}/students/${BOB}/ps1`);
    expect(Number(await page.locator('#late').getAttribute('data-seconds'))).toBeGreaterThan(0);
    expect(await page.locator('#extension').textContent()).toBe('none');
    expect(await page.locator('section[data-notebook="p1"] .penalty').textContent()).toBe(
      `late penalty −${penalty(BOB).toFixed(1)}`,
    );
    expect(pageErrors.filter((e) => !/^Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });

  it('exports grades.csv equal to `coursehub nbgrader export --course` and a per-cell CSV, with the numbers of the answers', async () => {
    const { page, context } = await pageAs(GRADER);
    await page.goto(gradebook);
    const download = async (selector: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
      return readFileSync((await file.path())!, 'utf8');
    };
    const grades = await download('#grades-csv');
    const cells = await download('#cells-csv');
    await context.close();

    // The CLI, as an instructor runs it against the hub.
    const dir = mkdtempSync(join(tmpdir(), 'chgb-export-'));
    try {
      const target = join(dir, 'grades.csv');
      await run(process.execPath, [
        'bin/coursehub.js',
        'nbgrader',
        'export',
        '--course',
        A,
        '--hub',
        `${ch.hub.hubUrl}/hub/api`,
        '--token',
        await ch.hub.token(PROF),
        '--to',
        target,
      ]);
      expect(grades).toBe(readFileSync(target, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const rows = parse(grades, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([
      'assignment',
      'duedate',
      'timestamp',
      'student_id',
      'last_name',
      'first_name',
      'email',
      'raw_score',
      'late_submission_penalty',
      'score',
      'max_score',
    ]);
    const row = (student: string) => rows.find((r) => r.student_id === student && r.assignment === 'ps1')!;
    for (const student of [AMY, BOB] as const) {
      expect(Number(row(student).raw_score)).toBeCloseTo(raw(student), 9);
      expect(Number(row(student).late_submission_penalty)).toBeCloseTo(penalty(student), 9);
      expect(Number(row(student).score)).toBeCloseTo(final(student), 9);
      expect(Number(row(student).max_score)).toBe(MAX);
    }
    expect(row(CAT)).toMatchObject({ timestamp: '', raw_score: '0.0', score: '0.0' });

    const cellRows = parse(cells, { columns: true }) as Record<string, string>[];
    expect(Object.keys(cellRows[0]!)).toEqual([
      'assignment',
      'notebook',
      'cell',
      'student',
      'auto_score',
      'manual_score',
      'extra_credit',
      'score',
      'max_score',
    ]);
    expect(cellRows).toHaveLength(6);
    const asNumber = (text: string) => (text === '' ? null : Number(text));
    for (const student of [AMY, BOB] as const)
      for (const [cell, want] of Object.entries(EXPECTED[student].cells)) {
        const got = cellRows.find((r) => r.student === student && r.cell === cell)!;
        expect(got).toMatchObject({ assignment: 'ps1', notebook: 'p1' });
        expect(asNumber(got.auto_score!)).toBe(want.auto);
        expect(asNumber(got.manual_score!)).toBe(want.manual);
        expect(asNumber(got.extra_credit!)).toBe(want.extra);
        expect(Number(got.score)).toBeCloseTo(want.score, 9);
        expect(Number(got.max_score)).toBe(want.max);
      }
  });

  it('draws the analytics as accessible SVG: score distribution, per cell, the failing test, late submissions', async () => {
    const { page, context, pageErrors } = await pageAs(GRADER);
    await page.goto(gradebook);
    await page.locator('a.analytics-link[data-assignment="ps1"]').click();
    await page.waitForURL('**/gradebook/analytics/ps1');
    // Scores after penalty: Amy 5.0 (the last tenth of 5), Bob 0.0 (the first).
    const bars = page.locator('#score-distribution svg g.bar');
    const counts = await bars.evaluateAll((gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
    const want = Array.from({ length: 10 }, () => 0);
    for (const student of [AMY, BOB] as const)
      want[Math.min(9, Math.floor(final(student) / (MAX / 10)))]! += 1;
    expect(counts).toEqual(want);
    expect(await page.locator('#score-distribution svg title').first().textContent()).toContain(
      'score distribution',
    );
    expect(await page.locator('#score-distribution svg desc').textContent()).toContain('2 submissions');
    expect(await page.locator('#score-distribution svg').getAttribute('role')).toBe('img');
    // test_a: Amy 1 (+0.5 extra credit, above the maximum: the last bar), Bob 0; one bar per point.
    const testA = page.locator('figure[data-cell="test_a"] svg g.bar');
    expect(
      await testA.evaluateAll((gs) =>
        gs.map((g) => [g.getAttribute('data-label'), g.getAttribute('data-count')]),
      ),
    ).toEqual([
      ['0.0', '1'],
      ['1.0', '1'],
    ]);
    // The test failed most: test_a (Bob 0), test_b passed by both is not listed.
    expect(
      await page
        .locator('tr.failed-test')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cell'))),
    ).toEqual(['test_a']);
    expect(await page.locator('tr.failed-test .zero').textContent()).toBe('1');
    // Submissions over time: Bob late, Amy on time (extension), the due line drawn.
    expect(await page.locator('#late-count').getAttribute('data-late')).toBe('1');
    expect(await page.locator('#late-count').getAttribute('data-on-time')).toBe('1');
    expect(await page.locator('#timeline svg circle.late').count()).toBe(1);
    expect(await page.locator('#timeline svg line.due').count()).toBe(1);
    // No student is named on the page.
    const text = await page.content();
    for (const student of STUDENTS) expect(text).not.toContain(student);
    expect(pageErrors.filter((e) => !/^Failed to load resource/.test(e))).toEqual([]);
    await context.close();
  });

  it('refuses students and strangers the pages and both CSVs, and sends them nothing of the course', async () => {
    const paths = [
      gradebook,
      `${gradebook}/grades.csv`,
      `${gradebook}/cells.csv`,
      `${gradebook}/students/${AMY}/ps1`,
      `${gradebook}/analytics/ps1`,
    ];
    for (const name of [AMY, STRANGER, STRANGER_PROF])
      for (const path of paths) {
        const response = await ch.as(name, 'GET', path);
        expect([403, 404], `${name} ${path}`).toContain(response.status);
        const body = await response.text();
        expect(body).not.toContain(BOB);
        expect(body).not.toContain('test_a');
        expect(body).not.toMatch(/^assignment,/);
      }
    // Not logged in: to the login page.
    const anonymous = await ch.as(null, 'GET', `${gradebook}/grades.csv`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toContain('login');
    // A grader and an instructor get them.
    for (const name of [GRADER, PROF])
      for (const path of paths) expect((await ch.as(name, 'GET', path)).status, `${name} ${path}`).toBe(200);
  });

  it('sends no student id while anonymous grading is on, and names them again when it is off', async () => {
    const { formgrader } = ch.hub.services;
    await formgrader.setAnonymous(A, 'ps1', true, { name: PROF });
    try {
      const overview = await ch.as(GRADER, 'GET', gradebook);
      const html = await overview.text();
      expect(html).toContain('data-anonymous="yes"');
      const pseudonyms = [...html.matchAll(/data-student="(anon-[0-9a-f]{10})"/g)].map((m) => m[1]!);
      expect(pseudonyms).toHaveLength(STUDENTS.length);
      // The formgrader's pseudonyms: the same student, the same name in both.
      const list = await (await ch.as(GRADER, 'GET', `/hub/courses/${A}/grading/ps1`)).text();
      for (const pseudonym of pseudonyms) expect(list).toContain(pseudonym);
      const bodies = [html];
      for (const pseudonym of pseudonyms) {
        const drill = await ch.as(GRADER, 'GET', `${gradebook}/students/${pseudonym}/ps1`);
        expect([200, 404]).toContain(drill.status); // Cat has no submission
        bodies.push(await drill.text());
      }
      expect(bodies.filter((b) => b.includes('tr class="cell"')).length).toBe(2);
      // A real id is no key while anonymous.
      expect((await ch.as(GRADER, 'GET', `${gradebook}/students/${AMY}/ps1`)).status).toBe(404);
      const grades = await (await ch.as(GRADER, 'GET', `${gradebook}/grades.csv`)).text();
      const cells = await (await ch.as(GRADER, 'GET', `${gradebook}/cells.csv`)).text();
      bodies.push(grades, cells, await (await ch.as(GRADER, 'GET', `${gradebook}/analytics/ps1`)).text());
      for (const body of bodies) for (const student of STUDENTS) expect(body).not.toContain(student);
      // The numbers stay: the same scores, by pseudonym.
      const rows = parse(grades, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => Number(r.score)).sort()).toEqual([0, final(BOB), final(AMY)].sort());
      expect(rows.every((r) => r.first_name === '' && r.last_name === '' && r.email === '')).toBe(true);
    } finally {
      await formgrader.setAnonymous(A, 'ps1', false, { name: PROF });
    }
    expect(await (await ch.as(GRADER, 'GET', gradebook)).text()).toContain(`data-student="${AMY}"`);
  });
});
