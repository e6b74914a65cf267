/**
 * gradebook benchmark: the scores of one assignment for every student, read set-based against the
 * per-student loop they replaced, side by side in one run over the same database: 2,000 students x
 * 10 assignments x 5 notebooks with 2-10 graded cells each, grades and comments
 * (bench/support/gradebook-data.ts).
 *
 * - summary: loadAssignmentSummary, the totals the assignment's scores page and grades.csv show
 *   (6 queries however large the assignment; each submitted notebook's sums come from SQL);
 * - scores: loadAssignmentScores, the totals with every grade and comment (8 queries);
 * - baseline: the old per-student loop, a copy of the code before (bench/support/per-student-scores.ts:
 *   3 + 2 x notebooks + N x (1 + 2 x notebooks) queries), which both pages used.
 *
 * SQLite always; PostgreSQL too when its server binaries are installed (a private server, started
 * as the tests start one). Interleaved rounds, medians. Both new reads must agree with the baseline
 * for every assignment (the summary with its totals), or the benchmark exits 1. The last line is
 * SQLite's summary against the goal: under 100 ms for 2,000 students.
 *
 *   npm run bench:gradebook     (BENCH_ROUNDS=7, BENCH_STUDENTS=2000, BENCH_POSTGRES=0 skips PostgreSQL)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import type { Kysely, KyselyPlugin } from 'kysely';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import { GradebookStore } from '../src/db/stores/gradebook.js';
import {
  loadAssignmentScores,
  loadAssignmentSummary,
  type AssignmentScores,
  type AssignmentSummary,
} from '../src/gradebook/scores.js';
import { createTestDatabase, startPostgres, type RunningPostgres } from '../test/support/postgres.js';
import { fillGradebook, type FilledGradebook, type GradebookShape } from './support/gradebook-data.js';
import { loadAssignmentScoresPerStudent } from './support/per-student-scores.js';

const SHAPE: GradebookShape = {
  students: Number(process.env.BENCH_STUDENTS ?? 2000),
  assignments: 10,
  notebooks: 5,
  minCells: 2,
  maxCells: 10,
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const GOAL_MS = 100;
/** The assignment timed: one in the middle (all are the same size). */
const TIMED = 'ps05';

type Reader = (
  db: Kysely<Database>,
  courseId: number,
  assignment: string,
) => Promise<AssignmentScores | AssignmentSummary>;

const READERS = {
  summary: (db, courseId, assignment) => loadAssignmentSummary(new GradebookStore(db), courseId, assignment),
  scores: (db, courseId, assignment) => loadAssignmentScores(new GradebookStore(db), courseId, assignment),
  baseline: loadAssignmentScoresPerStudent,
} satisfies Record<string, Reader>;
type ReaderName = keyof typeof READERS;
const NAMES = Object.keys(READERS) as ReaderName[];

interface Result {
  backend: string;
  submissions: number;
  /** Median wall time. */
  ms: Record<ReaderName, number>;
  /** Median CPU time of this process (PostgreSQL's own work is not in it). */
  cpuMs: Record<ReaderName, number>;
  queries: Record<ReaderName, number>;
}

/** The scores without every grade and comment: what the summary must equal. */
function totalsOf(scores: AssignmentScores): AssignmentSummary {
  return {
    ...scores,
    submissions: scores.submissions.map((s) => ({
      ...s,
      notebooks: Object.fromEntries(
        Object.entries(s.notebooks).map(([name, { grades: _grades, comments: _comments, ...totals }]) => [
          name,
          totals,
        ]),
      ),
    })),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** How many queries `read` runs, counted as their results come back. */
async function countQueries(db: Kysely<Database>, courseId: number, read: Reader): Promise<number> {
  let queries = 0;
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      queries++;
      return args.result;
    },
  };
  await read(db.withPlugin(counter), courseId, TIMED);
  return queries;
}

/** Wall time, and the CPU time of this process (on a busy machine the wall time waits for a core). */
async function time(read: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await read();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
}

async function measure(backend: string, handle: DatabaseHandle): Promise<Result> {
  const built = performance.now();
  const filled: FilledGradebook = await fillGradebook(handle.db, handle.dialect, SHAPE);
  const { courseId } = filled;
  console.log(
    `${backend}: built in ${((performance.now() - built) / 1000).toFixed(1)} s: ` +
      `${filled.rows.gradebook_submission} submissions, ${filled.rows.gradebook_submitted_notebook} submitted notebooks, ` +
      `${filled.rows.gradebook_grade} grades, ${filled.rows.gradebook_comment} comments`,
  );

  // The same results for every assignment, before anything is timed.
  for (const assignment of filled.assignments) {
    const baseline = (await READERS.baseline(handle.db, courseId, assignment)) as AssignmentScores;
    const scores = await READERS.scores(handle.db, courseId, assignment);
    const summary = await READERS.summary(handle.db, courseId, assignment);
    for (const [name, fresh, expected] of [
      ['scores', scores, baseline],
      ['summary', summary, totalsOf(baseline)],
    ] as const) {
      if (isDeepStrictEqual(fresh, expected)) continue;
      const differing = fresh.submissions.find((s, i) => !isDeepStrictEqual(s, expected.submissions[i]));
      console.error(
        `${backend}: the set-based ${name} of ${assignment} differ from the per-student loop's` +
          (differing ? ` (first at ${differing.studentId})` : ''),
      );
      process.exit(1);
    }
  }
  const submissions = (await READERS.summary(handle.db, courseId, TIMED)).submissions.length;

  const times: Record<ReaderName, Array<{ wall: number; cpu: number }>> = {
    summary: [],
    scores: [],
    baseline: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate which goes first, so none always runs on another's warm caches.
    const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]!);
    for (const name of order) times[name].push(await time(() => READERS[name](handle.db, courseId, TIMED)));
  }
  const ms = {} as Record<ReaderName, number>;
  const cpuMs = {} as Record<ReaderName, number>;
  const queries = {} as Record<ReaderName, number>;
  for (const name of NAMES) {
    ms[name] = median(times[name].map((t) => t.wall));
    cpuMs[name] = median(times[name].map((t) => t.cpu));
    queries[name] = await countQueries(handle.db, courseId, READERS[name]);
  }
  return { backend, submissions, ms, cpuMs, queries };
}

function report(result: Result): void {
  const line = (name: ReaderName) =>
    `${name} ${result.ms[name].toFixed(1)} ms (cpu ${result.cpuMs[name].toFixed(1)} ms, ${result.queries[name]} queries)`;
  const faster = (name: ReaderName) => `${(result.ms.baseline / result.ms[name]).toFixed(1)}x`;
  console.log(
    `${result.backend}: ${TIMED} for ${result.submissions} students, median of ${ROUNDS} rounds: ` +
      `${line('summary')}, ${line('scores')}, per-student ${line('baseline')}; ` +
      `summary ${faster('summary')} and scores ${faster('scores')} faster than the loop`,
  );
}

async function onSqlite(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'coursehub-bench-gradebook-'));
  const handle = await connectDatabase({ url: join(dir, 'gradebook.sqlite') });
  try {
    await migrateToLatest(handle.db);
    return await measure('SQLite', handle);
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function onPostgres(): Promise<Result | string> {
  let server: RunningPostgres;
  try {
    server = await startPostgres();
  } catch (error) {
    return `PostgreSQL skipped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  try {
    const handle = await connectDatabase({ url: await createTestDatabase(server.adminUrl) });
    try {
      await migrateToLatest(handle.db);
      return await measure('PostgreSQL', handle);
    } finally {
      await handle.close();
    }
  } finally {
    await server.stop();
  }
}

console.log(
  `gradebook benchmark: ${SHAPE.students} students x ${SHAPE.assignments} assignments x ${SHAPE.notebooks} notebooks ` +
    `(${SHAPE.minCells}-${SHAPE.maxCells} graded cells each); load average ${loadavg()[0]!.toFixed(2)}`,
);
const postgres =
  process.env.BENCH_POSTGRES === '0' ? 'PostgreSQL skipped (BENCH_POSTGRES=0)' : await onPostgres();
if (typeof postgres === 'string') console.log(postgres);
else report(postgres);
const sqlite = await onSqlite();
report(sqlite);
console.log(
  `assignment scores for ${sqlite.submissions} students: set-based ${sqlite.ms.summary.toFixed(1)} ms ` +
    `vs per-student loop ${sqlite.ms.baseline.toFixed(1)} ms ` +
    `(${(sqlite.ms.baseline / sqlite.ms.summary).toFixed(1)}x faster; goal < ${GOAL_MS} ms)`,
);
