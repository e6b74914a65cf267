/**
 * nbgrader's computed totals (api.py column properties) for every submission of an assignment,
 * read set-based (src/db/stores/gradebook-scores.ts: a fixed number of queries, however many
 * students and notebooks). Two reads:
 *
 * - the summary (totals only: what the assignment's scores page and grades.csv show): each
 *   submitted notebook's sums come from the database, one row per submitted notebook;
 * - the scores (the totals with every grade and comment): the totals are computed here from the
 *   grade rows with nbgrader's rules (src/grading/scores/).
 *
 * The maxima and each submission's totals over its notebooks are worked out here for both.
 */
import type { AssignmentRow } from '../db/stores/courses.js';
import type {
  AssignmentHeaderRows,
  NotebookTotalsRow,
  ScoreCommentRow,
  ScoredCellRow,
  SubmissionRow,
  SubmittedNotebookRow,
} from '../db/stores/gradebook-scores.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import {
  inGradeIdOrder,
  notebookMaxima,
  scoreNotebook,
  secondsLate,
  submissionPoints,
  submissionTotals,
  sum,
  type NotebookCells,
  type NotebookMaxima,
  type NotebookScores,
  type NotebookTotals,
} from '../grading/scores/index.js';
import { requireAssignment } from './courses.js';
import { parseNaiveUtc } from './timestamps.js';
import { setOwn } from '../util/own-keys.js';

export type { CommentRecord, GradeScore, NotebookScores, NotebookTotals } from '../grading/scores/index.js';

/** A submission with nbgrader's totals, and its notebooks as `Notebook`. */
interface SubmissionOf<Notebook> {
  studentId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  timestamp: string | null;
  secondsLate: number;
  score: number;
  maxScore: number;
  codeScore: number;
  writtenScore: number;
  taskScore: number;
  latePenalty: number;
  scoreAfterPenalty: number;
  needsManualGrade: boolean;
  notebooks: Record<string, Notebook>;
}

interface AssignmentOf<Submission> {
  assignment: string;
  duedate: string | null;
  maxScore: number;
  notebooks: string[];
  /** In student id order. */
  submissions: Submission[];
}

/** A submission with its totals, and every grade and comment of its notebooks. */
export type SubmissionScores = SubmissionOf<NotebookScores>;
export type AssignmentScores = AssignmentOf<SubmissionScores>;
/** A submission with its totals and its notebooks' totals (no cells). */
export type SubmissionSummary = SubmissionOf<NotebookTotals>;
export type AssignmentSummary = AssignmentOf<SubmissionSummary>;

/**
 * Every submission of an assignment with nbgrader's totals, students in id order: what the
 * assignment's scores page and the grades export show. Six queries, however many students. With
 * `studentPks`, only those students' submissions (a page of the gradebook; the maxima are the same).
 */
export async function loadAssignmentSummary(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
  options: { studentPks?: readonly number[] } = {},
): Promise<AssignmentSummary> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const rows = await store.scores.summaryRows(assignment.id, options.studentPks);
  return assemble(assignment, rows, rows.notebookTotals, (_cells, maxima, sums) => withMaxima(sums, maxima));
}

/** A submission's points as loadAssignmentSummary gives them, without the split by kind of cell. */
export type SubmissionPoints = Omit<SubmissionOf<NotebookPoints>, 'codeScore' | 'writtenScore' | 'taskScore'>;
export type NotebookPoints = { score: number; flagged: boolean; needsManualGrade: boolean };
export type AssignmentPoints = AssignmentOf<SubmissionPoints>;

/**
 * loadAssignmentSummary's totals without the code / written / task sums and failed tests: each
 * submission's score, late penalty, score after it, lateness, needs-manual-grading and each
 * notebook's flag. Half the database's work (test/gradebook/summary-rule.test.ts checks that the
 * two reads agree): for lists and charts of a whole class.
 */
export async function loadAssignmentPoints(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentPoints> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const rows = await store.scores.pointsRows(assignment.id);
  const maxScore = maxScoreOf(rows);
  const dueAt = naiveUtcOrNull(assignment.duedate);
  const bySubmission = groupBy(rows.notebookPoints, (row) => row.submissionId);
  const submissions = rows.submissions.map((sub): SubmissionPoints => {
    const submitted = byNotebookName(rows.notebooks, bySubmission.get(sub.id) ?? [], (_nb, row) => row);
    return {
      ...submissionHeader(sub, dueAt),
      ...submissionPoints(Object.values(submitted)),
      maxScore,
      notebooks: Object.fromEntries(
        Object.entries(submitted).map(([name, nb]) => [
          name,
          { score: nb.score, flagged: nb.flagged, needsManualGrade: nb.needsManualGrade },
        ]),
      ),
    };
  });
  return {
    assignment: assignment.name,
    duedate: assignment.duedate,
    maxScore,
    notebooks: rows.notebooks.map((n) => n.name),
    submissions,
  };
}

/** The assignment's maximum score: the sum of its notebooks' maxima. */
function maxScoreOf(rows: Pick<AssignmentHeaderRows, 'notebooks' | 'cells'>): number {
  const cells = cellsByNotebook(rows.cells);
  return sum(rows.notebooks.map((nb) => notebookMaxima(cells.get(nb.id) ?? new Map()).maxScore));
}

/** Who submitted and how late (with any extension), as every read of an assignment gives it. */
function submissionHeader(sub: SubmissionRow, dueAt: number | null) {
  return {
    studentId: sub.studentId,
    firstName: sub.firstName,
    lastName: sub.lastName,
    email: sub.email,
    timestamp: sub.timestamp,
    secondsLate: secondsLate(naiveUtcOrNull(sub.timestamp), dueAt, sub.extensionSeconds),
  };
}

/**
 * The submitted notebooks of one submission (a few: found by a scan rather than through a map
 * built for each), by notebook name in the assignment's order of notebooks, as `entry` makes them.
 */
function byNotebookName<Notebook extends { id: number; name: string }, Submitted extends SubmittedIn, T>(
  notebooks: readonly Notebook[],
  submitted: readonly Submitted[],
  entry: (notebook: Notebook, submitted: Submitted) => T,
): Record<string, T> {
  const named: Record<string, T> = {};
  for (const nb of notebooks) {
    const found = submitted.find((s) => s.notebookId === nb.id);
    if (found) setOwn(named, nb.name, entry(nb, found));
  }
  return named;
}

/** An assignment's maximum score, as loadAssignmentSummary gives it, without reading its submissions. */
export async function loadAssignmentMaxScore(store: GradebookStore, assignmentId: number): Promise<number> {
  return maxScoreOf(await store.scores.cellRows(assignmentId));
}

/** A submitted notebook's totals: the sums the database added up, and the notebook's maxima. */
function withMaxima(sums: NotebookTotalsRow, maxima: NotebookMaxima): NotebookTotals {
  return {
    score: sums.score,
    maxScore: maxima.maxScore,
    codeScore: sums.codeScore,
    maxCodeScore: maxima.maxCodeScore,
    writtenScore: sums.writtenScore,
    maxWrittenScore: maxima.maxWrittenScore,
    taskScore: sums.taskScore,
    maxTaskScore: maxima.maxTaskScore,
    needsManualGrade: sums.needsManualGrade,
    failedTests: sums.failedTests,
    flagged: sums.flagged,
    latePenalty: sums.latePenalty,
  };
}

/**
 * Every submission of an assignment with nbgrader's totals and every grade and comment, students
 * in id order. Eight queries, however many students.
 */
export async function loadAssignmentScores(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentScores> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const [rows, commentRows] = await Promise.all([
    store.scores.scoreRows(assignment.id),
    store.scores.commentRows(assignment.id),
  ]);
  const grades = groupBy(rows.grades, (g) => g.submittedNotebookId);
  const comments = groupBy(commentRows, (c: ScoreCommentRow) => c.submittedNotebookId);
  return assemble(assignment, rows, rows.submittedNotebooks, (cells, maxima, submitted) =>
    scoreNotebook(cells, maxima, {
      grades: grades.get(submitted.id) ?? [],
      comments: comments.get(submitted.id) ?? [],
      flagged: submitted.flagged,
      latePenalty: submitted.latePenalty,
    }),
  );
}

/** What the assembly needs to know of a submitted notebook: where it belongs. */
type SubmittedIn = Pick<SubmittedNotebookRow, 'submissionId' | 'notebookId'>;

/** A submitted notebook's entry in a read, from its row and its notebook's cells and maxima. */
type NotebookScorer<Submitted, Notebook> = (
  cells: NotebookCells,
  maxima: NotebookMaxima,
  submitted: Submitted,
) => Notebook;

function groupBy<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/** Each notebook's graded cells: its grade cells, then its task cells, each in grade-id order. */
function cellsByNotebook(cells: ScoredCellRow[]): Map<number, NotebookCells> {
  const result = new Map<number, NotebookCells>();
  const ordered = [
    ...inGradeIdOrder(cells.filter((c) => !c.task)),
    ...inGradeIdOrder(cells.filter((c) => c.task)),
  ];
  for (const cell of ordered) {
    let notebook = result.get(cell.notebookId);
    if (!notebook) result.set(cell.notebookId, (notebook = new Map()));
    notebook.set(cell.name, { maxScore: cell.maxScore, cellType: cell.cellType, task: cell.task });
  }
  return result;
}

const naiveUtcOrNull = (text: string | null) => (text === null ? null : parseNaiveUtc(text));

/** The submissions' totals, from the rows of one set-based read and its submitted notebooks. */
function assemble<Submitted extends SubmittedIn, Notebook extends NotebookTotals>(
  assignment: AssignmentRow,
  rows: AssignmentHeaderRows,
  submittedNotebooks: Submitted[],
  scoreNotebookOf: NotebookScorer<Submitted, Notebook>,
): AssignmentOf<SubmissionOf<Notebook>> {
  const cells = cellsByNotebook(rows.cells);
  // Cells and maxima are the same for every submission of a notebook: worked out once.
  const notebooks = rows.notebooks.map((nb) => {
    const notebookCells: NotebookCells = cells.get(nb.id) ?? new Map();
    return { ...nb, cells: notebookCells, maxima: notebookMaxima(notebookCells) };
  });
  const maxScore = sum(notebooks.map((nb) => nb.maxima.maxScore));
  const dueAt = naiveUtcOrNull(assignment.duedate);
  const submittedBySubmission = groupBy(submittedNotebooks, (s) => s.submissionId);

  const submissions = rows.submissions.map((sub): SubmissionOf<Notebook> => {
    const scored = byNotebookName(notebooks, submittedBySubmission.get(sub.id) ?? [], (nb, submitted) =>
      scoreNotebookOf(nb.cells, nb.maxima, submitted),
    );
    const totals = submissionTotals(Object.values(scored));
    return {
      ...submissionHeader(sub, dueAt),
      score: totals.score,
      maxScore,
      codeScore: totals.codeScore,
      writtenScore: totals.writtenScore,
      taskScore: totals.taskScore,
      latePenalty: totals.latePenalty,
      scoreAfterPenalty: totals.scoreAfterPenalty,
      needsManualGrade: totals.needsManualGrade,
      notebooks: scored,
    };
  });
  return {
    assignment: assignment.name,
    duedate: assignment.duedate,
    maxScore,
    notebooks: rows.notebooks.map((n) => n.name),
    submissions,
  };
}
