// The gradebook service over a generated gradebook larger than one page (250 students, random
// grades, late penalties and extensions: bench/support/gradebook-data.ts), on SQLite and
// PostgreSQL: every page reads only its students' submissions (the score store's student filter),
// and the pages together must give every student exactly once with the numbers of the assignment's
// unfiltered summary (the read grades.csv uses); the per-cell CSV and the analytics must account
// for every grade and submission. Graders only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseStores } from '../../src/db/stores/course-stores.js';
import { CourseService } from '../../src/exchange/courses/course-service.js';
import { CourseRoleError } from '../../src/exchange/errors.js';
import { loadAssignmentScores, loadAssignmentSummary } from '../../src/gradebook/scores.js';
import { CourseWork } from '../../src/hub/courses/course-work.js';
import { GRADEBOOK_PAGE_SIZE, GradebookReports } from '../../src/hub/courses/gradebook-reports.js';
import { fillGradebook, type FilledGradebook } from '../../bench/support/gradebook-data.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.js';

const STUDENTS = 250;

describe.each(BACKENDS)('the gradebook pages’ reads on %s', (backend) => {
  let database: TestDatabase;
  let dir: string;
  let filled: FilledGradebook;
  let stores: CourseStores;
  let reports: GradebookReports;
  const admin = { name: 'gb-admin', admin: true };

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    dir = mkdtempSync(join(tmpdir(), 'coursehub-gradebook-reports-'));
    filled = await fillGradebook(database.db, database.dialect, {
      students: STUDENTS,
      assignments: 3,
      notebooks: 2,
      minCells: 2,
      maxCells: 4,
    });
    stores = new CourseStores(database.db);
    mkdirSync(join(dir, 'bench101'));
    writeFileSync(join(dir, 'bench101', 'nbgrader_config.py'), 'c = get_config()\n');
    await stores.courses.insert({
      name: 'bench101',
      title: 'Bench 101',
      directory: join(dir, 'bench101'),
      unixGroup: null,
    });
    const courses = new CourseService(stores, { dataDir: dir, unixGroups: false });
    const refuse = () => {
      throw new Error('not used here');
    };
    const work = new CourseWork({
      stores,
      courses,
      launcher: refuse,
      concurrency: 1,
      readUserFolder: refuse,
    });
    reports = new GradebookReports({ stores, courses, work });
  }, 120_000);

  afterAll(async () => {
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pages through every student once, each with the unfiltered summary’s numbers', async () => {
    const first = await reports.overview('bench101', admin, 1);
    expect(first.pages).toBe(Math.ceil(STUDENTS / GRADEBOOK_PAGE_SIZE));
    expect(first.studentCount).toBe(STUDENTS);
    const rows = [...first.rows];
    for (let page = 2; page <= first.pages; page++)
      rows.push(...(await reports.overview('bench101', admin, page)).rows);
    expect(new Set(rows.map((r) => r.key)).size).toBe(STUDENTS);
    // Beyond the last page: the last page.
    expect((await reports.overview('bench101', admin, 99)).page).toBe(first.pages);

    let compared = 0;
    const totals = new Map<string, number>();
    for (const assignment of filled.assignments) {
      const summary = await loadAssignmentSummary(stores.gradebook, filled.courseId, assignment);
      const column = first.assignments.find((a) => a.name === assignment)!;
      expect(column.submitted).toBe(summary.submissions.length);
      expect(column.maxScore).toBe(summary.maxScore);
      const byStudent = new Map(summary.submissions.map((s) => [s.studentId, s]));
      for (const row of rows) {
        const want = byStudent.get(row.key);
        const got = row.results[assignment];
        if (!want) {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got).toMatchObject({
          score: want.scoreAfterPenalty,
          rawScore: want.score,
          latePenalty: want.latePenalty,
          secondsLate: want.secondsLate,
          timestamp: want.timestamp,
        });
        totals.set(row.key, (totals.get(row.key) ?? 0) + want.scoreAfterPenalty);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(STUDENTS);
    for (const row of rows) expect(row.total).toBeCloseTo(totals.get(row.key) ?? 0, 9);
  });

  it('writes a per-cell CSV row for every grade, with nbgrader’s Grade.score', async () => {
    const rows = parse(await reports.cellsCsv('bench101', admin), { columns: true }) as Record<
      string,
      string
    >[];
    let grades = 0;
    for (const assignment of filled.assignments) {
      const scores = await loadAssignmentScores(stores.gradebook, filled.courseId, assignment);
      for (const sub of scores.submissions)
        for (const [notebook, scored] of Object.entries(sub.notebooks))
          for (const [cell, grade] of Object.entries(scored.grades)) {
            grades += 1;
            if (grades % 37 !== 0) continue; // a sample: the lookup below is linear
            const row = rows.find(
              (r) =>
                r.assignment === assignment &&
                r.student === sub.studentId &&
                r.notebook === notebook &&
                r.cell === cell,
            )!;
            expect(Number(row.score)).toBeCloseTo(grade.score, 9);
            expect(Number(row.max_score)).toBe(grade.maxScore);
            expect(row.auto_score === '' ? null : Number(row.auto_score)).toBe(grade.autoScore);
            expect(row.manual_score === '' ? null : Number(row.manual_score)).toBe(grade.manualScore);
            expect(row.extra_credit === '' ? null : Number(row.extra_credit)).toBe(grade.extraCredit);
          }
    }
    expect(rows).toHaveLength(grades);
  });

  it('drills down to a student’s assignment with the summary’s totals and every grade of its notebooks', async () => {
    const assignment = filled.assignments[1]!;
    const scores = await loadAssignmentScores(stores.gradebook, filled.courseId, assignment);
    for (const sub of scores.submissions.filter((_, i) => i % 41 === 0)) {
      const view = await reports.studentAssignment('bench101', sub.studentId, assignment, admin);
      expect(view).toMatchObject({
        score: sub.scoreAfterPenalty,
        rawScore: sub.score,
        latePenalty: sub.latePenalty,
        secondsLate: sub.secondsLate,
        timestamp: sub.timestamp,
      });
      expect(view.notebooks.map((n) => n.name)).toEqual(Object.keys(sub.notebooks).sort());
      for (const notebook of view.notebooks) {
        const want = sub.notebooks[notebook.name]!;
        expect(notebook.score).toBeCloseTo(want.score, 9);
        for (const [cell, grade] of Object.entries(want.grades))
          expect(notebook.cells.find((c) => c.gradeId === cell)).toMatchObject({
            autoScore: grade.autoScore,
            manualScore: grade.manualScore,
            extraCredit: grade.extraCredit,
            score: grade.score,
          });
      }
    }
  });

  it('counts every submission in the analytics', async () => {
    const assignment = filled.assignments[0]!;
    const view = await reports.analytics('bench101', assignment, admin);
    const summary = await loadAssignmentSummary(stores.gradebook, filled.courseId, assignment);
    expect(view.scores.reduce((n, b) => n + b.count, 0)).toBe(summary.submissions.length);
    expect(view.timeline.filter((t) => t.late)).toHaveLength(
      summary.submissions.filter((s) => s.timestamp !== null && s.secondsLate > 0).length,
    );
    for (const cell of view.cells) expect(cell.bins.reduce((n, b) => n + b.count, 0)).toBe(cell.graded);
    // Each cell's histogram and the failed tests, counted here from every grade of the assignment.
    const scores = await loadAssignmentScores(stores.gradebook, filled.courseId, assignment);
    const byCell = new Map<string, { score: number; auto: number | null; max: number; test: boolean }[]>();
    for (const sub of scores.submissions)
      for (const [notebook, scored] of Object.entries(sub.notebooks))
        for (const [cell, grade] of Object.entries(scored.grades)) {
          const key = `${notebook}/${cell}`;
          if (!byCell.has(key)) byCell.set(key, []);
          byCell.get(key)!.push({
            score: grade.score,
            auto: grade.autoScore,
            max: grade.maxScore,
            test: grade.cellKind === 'GradeCell' && grade.cellType === 'code',
          });
        }
    expect(view.cells).toHaveLength(byCell.size);
    for (const cell of view.cells) {
      const grades = byCell.get(`${cell.notebook}/${cell.cell}`)!;
      expect(cell.graded).toBe(grades.length);
      const max = grades[0]!.max;
      if (Number.isInteger(max) && max <= 10)
        expect(cell.bins.map((b) => b.count)).toEqual(
          Array.from(
            { length: max + 1 },
            (_, points) =>
              grades.filter((g) => Math.min(max, Math.max(0, Math.floor(g.score))) === points).length,
          ),
        );
    }
    const failing = [...byCell]
      .filter(([, grades]) => grades[0]!.test)
      .map(([key, grades]) => ({
        key,
        missed: grades.filter((g) => g.auto !== null && g.auto < g.max).length,
      }))
      .filter((t) => t.missed > 0)
      .sort((a, b) => b.missed - a.missed);
    expect(view.failedTests[0]!.zero + view.failedTests[0]!.partial).toBe(failing[0]!.missed);
    for (const test of view.failedTests)
      expect(test.zero + test.partial).toBe(
        failing.find((f) => f.key === `${test.notebook}/${test.cell}`)!.missed,
      );
  });

  it('refuses someone who is not a grader of the course', async () => {
    await expect(reports.overview('bench101', { name: 'nobody', admin: false })).rejects.toBeInstanceOf(
      CourseRoleError,
    );
  });
});
