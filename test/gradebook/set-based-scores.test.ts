// The scores of an assignment are read set-based: the number of queries loadAssignmentScores runs
// is the same for 5 students as for 50, and for one notebook as for three (it was
// 3 + 2 x notebooks + N x (1 + 2 x notebooks)). Queries are counted with a Kysely plugin, which
// sees the result of every query a store executes. The summary (totals only) agrees with the
// totals of the full read.
import type { Kysely, KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import { ensureCourse, setExtension, updateOrCreateAssignment } from '../../src/gradebook/courses.js';
import { setManualScore } from '../../src/gradebook/manual-grades.js';
import { loadAssignmentScores, loadAssignmentSummary } from '../../src/gradebook/scores.js';
import { loadSourceNotebooks, storeSourceNotebooks } from '../../src/gradebook/source-notebooks.js';
import { recordSubmissionResult } from '../../src/gradebook/submissions.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.js';

/** A store whose queries are counted. */
function countingStore(db: Kysely<Database>) {
  let queries = 0;
  // Counted when a result comes back: transformQuery would also see every subquery.
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      queries++;
      return args.result;
    },
  };
  return {
    store: new GradebookStore(db.withPlugin(counter)),
    async count(work: () => Promise<unknown>): Promise<number> {
      const before = queries;
      await work();
      return queries - before;
    },
  };
}

const sourceNotebook = (name: string) => ({
  name,
  kernelspec: null,
  gradeCells: [
    { name: 'q1_test', maxScore: 1, cellType: 'code' as const },
    { name: 'q2_test', maxScore: 2, cellType: 'code' as const },
    { name: 'essay', maxScore: 3, cellType: 'markdown' as const },
  ],
  solutionCells: ['q1', 'q2', 'essay'],
  taskCells: [{ name: 'task', maxScore: 1, cellType: 'markdown' as const }],
  sourceCells: [],
});

describe.each(BACKENDS)('the queries behind an assignment’s scores on %s', (backend) => {
  let database: TestDatabase;
  let counting: ReturnType<typeof countingStore>;
  let courseId: number;

  /** An assignment of `notebooks` notebooks with `students` autograded submissions. */
  async function assignment(name: string, notebooks: number, students: number) {
    const { store } = counting;
    await updateOrCreateAssignment(store, courseId, name, { duedate: '2024-03-01 17:00:00' });
    const names = Array.from({ length: notebooks }, (_, i) => `p${i + 1}`);
    await storeSourceNotebooks(store, courseId, name, names.map(sourceNotebook));
    for (let s = 0; s < students; s++) {
      const studentId = `student${String(s).padStart(3, '0')}`;
      if (s % 7 === 0) await setExtension(store, courseId, name, studentId, 3600);
      await recordSubmissionResult(store, courseId, {
        assignment: name,
        studentId,
        timestamp: `2024-03-01 ${s % 2 === 0 ? '16' : '18'}:00:00`,
        gradedNotebooks: names.slice(s % 3 === 0 ? 1 : 0).map((nb) => ({
          name: nb,
          grades: [
            { name: 'q1_test', autoScore: s % 2 },
            { name: 'q2_test', autoScore: 1.5 },
            { name: 'essay', autoScore: null },
          ],
          comments: [{ name: 'q1', autoComment: s % 5 === 0 ? 'No response.' : null }],
        })),
        missingNotebooks: s % 3 === 0 ? names.slice(0, 1) : [],
        latePenalty: 'zero',
      });
      if (s % 4 === 0) {
        await setManualScore(
          store,
          courseId,
          { assignment: name, studentId, notebook: names.at(-1)!, cell: 'essay' },
          2,
        );
      }
    }
  }

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    counting = countingStore(database.db);
    courseId = await ensureCourse(counting.store, 'counted101');
    await assignment('small', 1, 5);
    await assignment('large', 3, 50);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('reads the scores of 5 or 50 students, of one notebook or three, in the same few queries', async () => {
    const { store, count } = counting;
    let small: Awaited<ReturnType<typeof loadAssignmentScores>> | undefined;
    let large: typeof small;
    const smallQueries = await count(
      async () => (small = await loadAssignmentScores(store, courseId, 'small')),
    );
    const largeQueries = await count(
      async () => (large = await loadAssignmentScores(store, courseId, 'large')),
    );
    // The data really differ in size, so equal counts mean the count does not depend on it.
    expect(small!.submissions).toHaveLength(5);
    expect(large!.submissions).toHaveLength(50);
    expect(large!.notebooks).toEqual(['p1', 'p2', 'p3']);
    expect(large!.submissions.some((s) => s.latePenalty > 0 && s.secondsLate > 0)).toBe(true);
    expect(smallQueries).toBe(largeQueries);
    // The assignment, then notebooks, grade cells, task cells, submissions, submitted notebooks,
    // grades and comments.
    expect(largeQueries).toBe(8);
  });

  it('reads the summary (totals only) of 5 or 50 students in the same few queries, without comments', async () => {
    const { store, count } = counting;
    const small = await count(() => loadAssignmentSummary(store, courseId, 'small'));
    const large = await count(() => loadAssignmentSummary(store, courseId, 'large'));
    expect(small).toBe(large);
    // The assignment, then notebooks, grade cells, task cells, submissions, and one row of sums
    // per submitted notebook.
    expect(large).toBe(6);
  });

  it('gives the same totals in the summary as in the full scores', async () => {
    const { store } = counting;
    const scores = await loadAssignmentScores(store, courseId, 'large');
    const withoutCells = {
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
    expect(await loadAssignmentSummary(store, courseId, 'large')).toStrictEqual(withoutCells);
  });

  it('loads the source notebooks of an assignment in the same few queries however many there are', async () => {
    const { store, count } = counting;
    const one = await count(() => loadSourceNotebooks(store, courseId, 'small'));
    const three = await count(() => loadSourceNotebooks(store, courseId, 'large'));
    expect(one).toBe(three);
  });
});
