/**
 * formgrader benchmark: the grading pages' server time over the issue's large course, 2,000
 * students x 10 assignments x 5 notebooks with 2-10 graded cells each (the gradebook of
 * bench/support/gradebook-data.ts, SQLite), each page built as the hub builds it (the Formgrader
 * service, then the page's HTML): the submissions list, one notebook to grade, its polled state,
 * one save, one question across every student, the gradebook (a page of students x every
 * assignment), a student's assignment by cell, an assignment's analytics, the course's grades.csv
 * and the per-cell CSV (every graded cell of every submission, printed, not a goal of the issue's
 * "csv export", which is grades.csv). Autograded notebooks
 * are written for every student of the timed assignment's first notebook (one cell per graded
 * cell, answers and outputs included). p95 of BENCH_ROUNDS rounds (the question page and the CSV:
 * fewer, they are large). Last, the large submission (./support/large-submission.ts): 200 cells
 * and 50 images as one student's notebook, its grading page loaded in Chromium to interactive.
 *
 *   npm run bench:formgrader     (BENCH_ROUNDS=20, BENCH_STUDENTS=2000)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { CourseStores } from '../src/db/stores/course-stores.js';
import { CourseService } from '../src/exchange/courses/course-service.js';
import { requireAssignment } from '../src/gradebook/courses.js';
import { CourseWork } from '../src/hub/courses/course-work.js';
import { Formgrader } from '../src/hub/courses/formgrader.js';
import { GradebookReports } from '../src/hub/courses/gradebook-reports.js';
import { HubUrls } from '../src/hub/urls.js';
import { analyticsPage } from '../src/web/courses/analytics-page.js';
import { gradebookPage, studentAssignmentPage } from '../src/web/courses/gradebook-page.js';
import { gradingPage } from '../src/web/courses/grading-page.js';
import { questionPage } from '../src/web/courses/question-page.js';
import { submissionsPage } from '../src/web/courses/submissions-page.js';
import { fillGradebook } from './support/gradebook-data.js';
import { largeSubmissionInteractive } from './support/large-submission.js';

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const TIMED = 'ps05';
const PAGE_GOAL_MS = 100;
const CSV_GOAL_MS = 1000;
const INTERACTIVE_GOAL_MS = 1000;

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
};

async function timed(rounds: number, work: (round: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  await work(-1); // warm
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    await work(round);
    times.push(performance.now() - started);
  }
  return p95(times);
}

/** An autograded notebook with a cell per graded cell of the gradebook (and its answer cell). */
function autogradedNotebook(cells: { name: string; cellType: string; task: boolean; maxScore: number }[]) {
  const meta = (m: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, ...m } });
  return {
    cells: cells.flatMap((cell) =>
      cell.task
        ? [
            {
              cell_type: 'markdown',
              metadata: meta({
                task: true,
                grade: false,
                solution: false,
                grade_id: cell.name,
                points: cell.maxScore,
              }),
              source: `Task ${cell.name}: describe $x^2$.`,
            },
          ]
        : cell.cellType === 'markdown'
          ? [
              {
                cell_type: 'markdown',
                metadata: meta({ grade: true, solution: true, grade_id: cell.name, points: cell.maxScore }),
                source: `An answer with **markdown** and $\\sum_i i$ for ${cell.name}.`,
              },
            ]
          : [
              {
                cell_type: 'code',
                execution_count: 1,
                metadata: meta({ grade: false, solution: true, grade_id: cell.name.replace(/_test$/, '') }),
                outputs: [{ output_type: 'stream', name: 'stdout', text: 'computed\n' }],
                source: 'def f(x):\n    return x * 2\nprint("computed")',
              },
              {
                cell_type: 'code',
                execution_count: 2,
                metadata: meta({ grade: true, solution: false, grade_id: cell.name, points: cell.maxScore }),
                outputs: [],
                source: 'assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS',
              },
            ],
    ),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'coursehub-bench-formgrader-'));
const handle = await connectDatabase({ url: join(dir, 'hub.sqlite') });
try {
  await migrateToLatest(handle.db);
  const built = performance.now();
  const filled = await fillGradebook(handle.db, handle.dialect, {
    students: STUDENTS,
    assignments: 10,
    notebooks: 5,
    minCells: 2,
    maxCells: 10,
  });
  const stores = new CourseStores(handle.db);
  const courseDir = join(dir, 'bench101');
  const course = await stores.courses.insert({
    name: 'bench101',
    title: 'Bench 101',
    directory: courseDir,
    unixGroup: null,
  });
  writeFileSync(join(dir, 'nbgrader_config.py'), '');
  mkdirSync(courseDir, { recursive: true });
  writeFileSync(join(courseDir, 'nbgrader_config.py'), 'c = get_config()\n');
  const courses = new CourseService(stores, { dataDir: dir, unixGroups: false });
  const refuse = () => {
    throw new Error('not used by the grading pages');
  };
  const work = new CourseWork({ stores, courses, launcher: refuse, concurrency: 1, readUserFolder: refuse });
  const formgrader = new Formgrader({ stores, courses, work });
  const gradebook = new GradebookReports({ stores, courses, work });
  const admin = { name: 'bench-admin', admin: true };

  const assignment = await requireAssignment(stores.gradebook, filled.courseId, TIMED);
  const header = await stores.gradebook.scores.summaryRows(assignment.id);
  const notebook = header.notebooks[0]!;
  const cells = header.cells.filter((c) => c.notebookId === notebook.id);
  const text = JSON.stringify(autogradedNotebook(cells));
  const submitted = header.submissions.map((s) => s.studentId);
  for (const student of submitted) {
    const folder = join(courseDir, 'autograded', student, TIMED);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${notebook.name}.ipynb`), text);
  }
  const graded = cells.find((c) => !c.task && c.cellType === 'markdown') ?? cells[0]!;
  console.log(
    `formgrader benchmark: ${STUDENTS} students x 10 assignments x 5 notebooks (2-10 graded cells); ` +
      `${submitted.length} submissions of ${TIMED}, ${cells.length} graded cells in ${notebook.name}; ` +
      `built in ${((performance.now() - built) / 1000).toFixed(1)} s; load average ${loadavg()[0]!.toFixed(2)}`,
  );

  const urls = new HubUrls('/');
  const user = { name: admin.name, admin: true };
  const student = (round: number) => submitted[(Math.max(round, 0) * 97) % submitted.length]!;
  const pages: Record<string, number> = {
    'submissions list': await timed(ROUNDS, async () => {
      const list = await formgrader.submissions(course.name, TIMED, admin, { sort: 'score', order: 'desc' });
      return submissionsPage({ urls, user, list, query: { sort: 'score', order: 'desc' } });
    }),
    'grading page': await timed(ROUNDS, async (round) => {
      const view = await formgrader.submission(course.name, TIMED, student(round), notebook.name, admin);
      return gradingPage({ urls, user, view });
    }),
    'grading state (polled)': await timed(ROUNDS, (round) =>
      formgrader.state(course.name, TIMED, student(round), notebook.name, admin),
    ),
    'save one field': await timed(ROUNDS, (round) =>
      formgrader.save(
        course.name,
        TIMED,
        student(round),
        notebook.name,
        { cell: graded.name, field: 'comment', value: `round ${round}`, baseVersion: 0 },
        admin,
      ),
    ),
    // The gradebook pages (src/web/courses/gradebook-routes.ts).
    gradebook: await timed(ROUNDS, async () =>
      gradebookPage({ urls, user, view: await gradebook.overview(course.name, admin) }),
    ),
    "a student's assignment (gradebook)": await timed(ROUNDS, async (round) =>
      studentAssignmentPage({
        urls,
        user,
        view: await gradebook.studentAssignment(course.name, student(round), TIMED, admin),
      }),
    ),
    analytics: await timed(ROUNDS, async () =>
      analyticsPage({ urls, user, view: await gradebook.analytics(course.name, TIMED, admin) }),
    ),
  };
  const question = await timed(3, async () => {
    const view = await formgrader.question(course.name, TIMED, notebook.name, graded.name, admin);
    return questionPage({ urls, user, view });
  });
  const csv = await timed(3, () => gradebook.gradesCsv(course.name, admin));
  const cellsCsv = await timed(1, () => gradebook.cellsCsv(course.name, admin));
  for (const [name, ms] of Object.entries(pages)) console.log(`${name}: p95 ${ms.toFixed(1)} ms`);
  console.log(`per-cell csv (every graded cell of every submission): ${cellsCsv.toFixed(0)} ms`);
  console.log(
    `question page (${graded.name} for ${submitted.length} students): p95 ${question.toFixed(0)} ms`,
  );
  const large = await largeSubmissionInteractive(
    {
      dataDir: dir,
      db: handle.db,
      courseDir,
      course: course.name,
      assignment: TIMED,
      notebook: notebook.name,
      student: student(0),
      graded: autogradedNotebook(cells).cells,
    },
    Math.max(5, Math.min(ROUNDS, 10)),
  );
  const interactive = p95(large.times);
  console.log(
    `large submission (${large.cells} cells, 50 images; notebook ${(large.bytes / 1e6).toFixed(1)} MB, ` +
      `page ${(large.htmlBytes / 1e6).toFixed(1)} MB) in Chromium to interactive: p95 ${interactive.toFixed(0)} ms`,
  );
  const slowest = Object.entries({ ...pages, 'question page': question }).sort((a, b) => b[1] - a[1])[0]!;
  console.log(`slowest page: ${slowest[0]}`);
  console.log(
    `slowest page p95 ${slowest[1].toFixed(0)} ms (goal < ${PAGE_GOAL_MS}); csv export ${csv.toFixed(0)} ms (goal < ${CSV_GOAL_MS}); ` +
      `large submission interactive ${interactive.toFixed(0)} ms (goal < ${INTERACTIVE_GOAL_MS})`,
  );
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
