/**
 * nbgrader import benchmark (issue 18: "a course of 300 students x 10 assignments imports in under
 * 10 s"). The class is graded-095 scaled up (test/fixtures/nbgrader-gradebooks/, made by the real
 * nbgrader 0.9.5): its ps1 copied to 10 assignments, its five submissions dealt round-robin to 300
 * students, every grade, comment, extension and flag kept; written as nbgrader's gradebook.db by
 * coursehub's own writer (src/db/nbgrader/write-gradebook.ts), with every student's submitted/ and
 * autograded/ folders. Then `import-nbgrader` into a fresh hub (SQLite), timed, and the counts
 * read back. Prints the time against the goal; exits 1 when the read-back counts differ.
 *
 *   npm run bench:nbgrader-import     (BENCH_STUDENTS=300, BENCH_ASSIGNMENTS=10, BENCH_KEEP=1 keeps the folders)
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { countGradebook, type NbgraderGradebook } from '../src/db/nbgrader/model.js';
import { readNbgraderGradebook } from '../src/db/nbgrader/read-gradebook.js';
import { writeNbgraderGradebook } from '../src/db/nbgrader/write-gradebook.js';
import { testServices } from '../test/support/services.js';

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 300);
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? 10);
const FIXTURE = join(import.meta.dirname, '..', 'test', 'fixtures', 'nbgrader-gradebooks', 'graded-095');
const COURSE = 'bench101';

function scaled(): NbgraderGradebook {
  const original = readNbgraderGradebook(join(FIXTURE, 'gradebook.db'));
  const ps1 = original.assignments.find((a) => a.name === 'ps1')!;
  const students = Array.from({ length: STUDENTS }, (_, i) => ({
    id: `s${String(i + 1).padStart(4, '0')}`,
    firstName: `First${i + 1}`,
    lastName: `Last${i + 1}`,
    email: `s${i + 1}@example.com`,
    lmsUserId: null,
  }));
  const assignments = Array.from({ length: ASSIGNMENTS }, (_, a) => ({
    name: `ps${a + 1}`,
    duedate: ps1.duedate,
    notebooks: ps1.notebooks,
    submissions: students.map((s, i) => ({
      ...ps1.submissions[(i + a) % ps1.submissions.length]!,
      studentId: s.id,
    })),
  }));
  return { courseId: COURSE, students, assignments };
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-nbgrader-import-'));
  const courseDir = join(scratch, 'nbgrader-course');
  mkdirSync(courseDir);
  const book = scaled();
  writeNbgraderGradebook(join(courseDir, 'gradebook.db'), book);
  writeFileSync(
    join(courseDir, 'nbgrader_config.py'),
    `c = get_config()\nc.CourseDirectory.course_id = '${COURSE}'\n`,
  );
  for (const a of book.assignments) {
    cpSync(join(FIXTURE, 'source', 'ps1'), join(courseDir, 'source', a.name), { recursive: true });
    cpSync(join(FIXTURE, 'release', 'ps1'), join(courseDir, 'release', a.name), { recursive: true });
    for (const s of a.submissions)
      for (const step of ['submitted', 'autograded'])
        cpSync(join(FIXTURE, step, 'walter', 'ps1'), join(courseDir, step, s.studentId, a.name), {
          recursive: true,
        });
  }
  const expected = countGradebook(book);

  const dataDir = join(scratch, 'hub');
  const database = openDatabase({ url: join(scratch, 'hub.sqlite') });
  await migrateToLatest(database.db);
  const services = testServices(database.db, { hub: { dataDir } });
  const started = performance.now();
  const report = await services.nbgraderImport.run(courseDir, COURSE);
  const seconds = (performance.now() - started) / 1000;
  const gradebookId = await services.courseStores.gradebook.courses.ensureCourse(COURSE);
  const readBack = countGradebook(await services.courseStores.gradebook.transfer.read(gradebookId, COURSE));
  await database.close();
  if (!process.env.BENCH_KEEP) rmSync(scratch, { recursive: true, force: true });
  else console.log(`kept ${scratch}`);

  console.log(
    `${STUDENTS} students x ${ASSIGNMENTS} assignments: ${expected.submissions} submissions, ${expected.grades} grades, ` +
      `${expected.comments} comments, ${report.files} files, ${report.newUsers.length} new users`,
  );
  console.log(`import-nbgrader: ${seconds.toFixed(2)} s (goal: under 10 s)`);
  if (JSON.stringify(readBack) !== JSON.stringify(expected)) {
    console.error('read back differs:', readBack, expected);
    process.exit(1);
  }
}

await main();
