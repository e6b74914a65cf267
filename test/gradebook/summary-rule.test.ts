// nbgrader's totals of a submitted notebook are written twice: in SQL, where the assignment's
// summary sums each submitted notebook's grades (ScoreStore.notebookTotalRows), and in JavaScript,
// where the full scores total the grade rows (src/grading/scores/). Random gradebooks, on SQLite
// and PostgreSQL, must get the same totals from both: grades with and without automatic and manual
// scores (0.0 included), extra credit, task cells, code and markdown cells, needs-manual flags,
// flagged notebooks, late penalties, grades whose cell is gone or changed kind, notebooks without
// graded cells, and grade ids JavaScript lists out of order ('1', '10', '02').
//
// Points in quarters add up exactly in any order, so there the two must agree to the last bit.
// Other fractions may differ there (SQLite adds with compensation, PostgreSQL in the order it reads
// the rows, JavaScript from left to right), so there they must agree to 10 decimal places.
// The lists' lighter read (loadAssignmentPoints: points only, no join to the cells) must give the
// same points as both.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceNotebookRecord } from '../../src/db/stores/gradebook-notebooks.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import {
  loadAssignmentPoints,
  loadAssignmentScores,
  loadAssignmentSummary,
  type AssignmentPoints,
  type AssignmentScores,
  type AssignmentSummary,
} from '../../src/gradebook/scores.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.js';

const GRADE_IDS = ['q1', 'q2_test', 'essay', 'task-1', 'B', '1', '10', '02'];
const STUDENTS = ['amy', 'bob', 'cat', 'dan', 'eve'];

interface CellSpec {
  name: string;
  kind: 'grade' | 'task';
  cellType: 'code' | 'markdown';
  maxScore: number;
  /** What a later generate does to the cell: keeps it, removes it, or makes it the other kind. */
  later: 'kept' | 'removed' | 'swapped';
}

interface GradeSpec {
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  needsManualGrade: boolean;
}

interface SubmittedSpec {
  flagged: boolean;
  latePenalty: number | null;
  /** One per cell of the notebook, by position. */
  grades: GradeSpec[];
}

interface GradebookSpec {
  notebooks: CellSpec[][];
  /** One per student who submitted, each with one entry per notebook. */
  submissions: SubmittedSpec[][];
}

/** A gradebook whose points are drawn from `points`. */
function gradebook(points: fc.Arbitrary<number>): fc.Arbitrary<GradebookSpec> {
  const cell = (name: string) =>
    fc.record({
      name: fc.constant(name),
      kind: fc.constantFrom('grade' as const, 'task' as const),
      cellType: fc.constantFrom('code' as const, 'markdown' as const),
      maxScore: points,
      later: fc.constantFrom(
        'kept' as const,
        'kept' as const,
        'kept' as const,
        'removed' as const,
        'swapped' as const,
      ),
    });
  const notebook = fc
    .subarray(GRADE_IDS, { minLength: 0, maxLength: 5 })
    .chain((names) => fc.tuple(...names.map(cell)));
  // fast-check's freq: 1 in freq values is null.
  const grade = fc.record({
    // An autograder's partial credit can be below 0: then even a cell worth 0 failed its tests.
    autoScore: fc.option(
      fc.oneof(
        { arbitrary: points, weight: 4 },
        points.map((x) => -x - 0.5),
      ),
      {
        nil: null,
        freq: 3,
      },
    ),
    manualScore: fc.option(fc.oneof(fc.constant(0), points), { nil: null, freq: 2 }),
    extraCredit: fc.option(points, { nil: null, freq: 2 }),
    needsManualGrade: fc.boolean(),
  });
  const submitted = (cells: number) =>
    fc.record({
      flagged: fc.boolean(),
      latePenalty: fc.option(points, { nil: null }),
      grades: fc.array(grade, { minLength: cells, maxLength: cells }),
    });
  return fc.array(notebook, { minLength: 1, maxLength: 3 }).chain((notebooks) =>
    fc.record({
      notebooks: fc.constant(notebooks),
      submissions: fc.array(fc.tuple(...notebooks.map((cells) => submitted(cells.length))), {
        minLength: 0,
        maxLength: STUDENTS.length,
      }),
    }),
  );
}

// Quarters: every sum of a few of them is exact.
const quarters = fc.integer({ min: 0, max: 40 }).map((n) => n / 4);
// Tenths, and any double: sums that round.
const fractions = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((n) => n / 10),
  fc.double({ min: 0, max: 10, noNaN: true }).map((x) => x + 0),
);

function sourceNotebook(name: string, cells: CellSpec[]): SourceNotebookRecord {
  const scored = (c: CellSpec) => ({ name: c.name, maxScore: c.maxScore, cellType: c.cellType });
  return {
    name,
    kernelspec: null,
    gradeCells: cells.filter((c) => c.kind === 'grade').map(scored),
    solutionCells: [],
    taskCells: cells.filter((c) => c.kind === 'task').map(scored),
    sourceCells: [],
  };
}

/** The notebook as a later generate leaves it. */
function regenerated(cells: CellSpec[]): CellSpec[] {
  return cells
    .filter((c) => c.later !== 'removed')
    .map((c) => (c.later === 'swapped' ? { ...c, kind: c.kind === 'grade' ? 'task' : 'grade' } : c));
}

/** What the points read keeps of a summary: no sums by kind of cell, no failed tests. */
function pointsOf(summary: AssignmentSummary): AssignmentPoints {
  return {
    ...summary,
    submissions: summary.submissions.map(
      ({ codeScore: _code, writtenScore: _written, taskScore: _task, notebooks, ...rest }) => ({
        ...rest,
        notebooks: Object.fromEntries(
          Object.entries(notebooks).map(([name, nb]) => [
            name,
            { score: nb.score, flagged: nb.flagged, needsManualGrade: nb.needsManualGrade },
          ]),
        ),
      }),
    ),
  };
}

/** The full scores without every grade and comment: what the summary must equal. */
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

/** `value` with every number replaced by a matcher that accepts it to `digits` decimal places. */
function closeTo(value: unknown, digits: number): unknown {
  if (typeof value === 'number') return expect.closeTo(value, digits);
  if (Array.isArray(value)) return value.map((v) => closeTo(v, digits));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closeTo(v, digits)]));
  }
  return value;
}

describe.each(BACKENDS)('the summary’s totals in SQL and the JavaScript rule on %s', (backend) => {
  let database: TestDatabase;
  let store: GradebookStore;
  let courseId: number;
  const studentPks: number[] = [];
  let assignments = 0;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    store = new GradebookStore(database.db);
    courseId = await store.courses.ensureCourse('rules101');
    for (const id of STUDENTS) studentPks.push(await store.courses.insertStudent(courseId, id, {}));
  });
  afterAll(async () => {
    await database.dispose();
  });

  /** Writes the gradebook as a new assignment; returns its name. */
  async function fill(spec: GradebookSpec): Promise<string> {
    const name = `a${++assignments}`;
    await store.withTransaction(async (tx) => {
      const assignmentId = await tx.courses.insertAssignment(courseId, name, null);
      const notebookName = (i: number) => `nb${i + 1}`;
      await tx.notebooks.replaceAll(
        assignmentId,
        spec.notebooks.map((cells, i) => sourceNotebook(notebookName(i), cells)),
      );
      for (const [s, submitted] of spec.submissions.entries()) {
        const ids = await tx.submissions.ensure(assignmentId, studentPks[s]!, null);
        for (const [n, notebook] of submitted.entries()) {
          const submittedNotebookId = ids.get(notebookName(n))!;
          await tx.submissions.setFlagged(submittedNotebookId, notebook.flagged);
          await tx.submissions.setLatePenalty(submittedNotebookId, notebook.latePenalty);
          for (const [c, values] of notebook.grades.entries()) {
            const grade = await tx.submissions.findGrade(submittedNotebookId, spec.notebooks[n]![c]!.name);
            await tx.submissions.updateGrade(grade!.id, values);
          }
        }
      }
      // Generate again: the grades of removed or changed cells stay behind.
      await tx.notebooks.replaceAll(
        assignmentId,
        spec.notebooks.map((cells, i) => sourceNotebook(notebookName(i), regenerated(cells))),
      );
    });
    return name;
  }

  async function bothReads(spec: GradebookSpec) {
    const name = await fill(spec);
    const summary = await loadAssignmentSummary(store, courseId, name);
    const scores = await loadAssignmentScores(store, courseId, name);
    expect(summary.submissions).toHaveLength(spec.submissions.length);
    // grades.csv's course-wide read (ScoreStore.courseSubmissionTotals) sums the same points.
    const assignment = (await store.courses.listAssignments(courseId)).find((a) => a.name === name)!;
    const csvTotals = (await store.scores.courseSubmissionTotals(courseId))
      .filter((row) => row.assignmentId === assignment.id)
      .map((row) => ({ studentId: row.studentId, score: row.score, latePenalty: row.latePenalty }))
      .sort((a, b) => (a.studentId < b.studentId ? -1 : 1));
    const points = await loadAssignmentPoints(store, courseId, name);
    return { summary, rule: totalsOf(scores), csvTotals, points };
  }

  it('agree to the last bit when the points add up exactly', async () => {
    await fc.assert(
      fc.asyncProperty(gradebook(quarters), async (spec) => {
        const { summary, rule, csvTotals, points } = await bothReads(spec);
        expect(summary).toStrictEqual(rule);
        expect(points).toStrictEqual(pointsOf(rule));
        expect(csvTotals).toStrictEqual(
          rule.submissions.map((s) => ({
            studentId: s.studentId,
            score: s.score,
            latePenalty: s.latePenalty,
          })),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('agree to 10 decimal places for any points', async () => {
    await fc.assert(
      fc.asyncProperty(gradebook(fractions), async (spec) => {
        const { summary, rule, csvTotals, points } = await bothReads(spec);
        expect(summary).toEqual(closeTo(rule, 10));
        expect(points).toEqual(closeTo(pointsOf(rule), 10));
        expect(csvTotals).toEqual(
          closeTo(
            rule.submissions.map((s) => ({
              studentId: s.studentId,
              score: s.score,
              latePenalty: s.latePenalty,
            })),
            10,
          ),
        );
      }),
      { numRuns: 40 },
    );
  });
});
