/**
 * nbgrader's computed totals (api.py column properties) for every submission of an assignment.
 * The rows come from a set-based read (src/db/stores/gradebook-scores.ts: a fixed number of
 * queries, however many students and notebooks), and the totals are computed from them here with
 * nbgrader's rules (src/grading/scores/), so SQLite and PostgreSQL give the same numbers through
 * one code path. Two reads: the summary (totals only: what the assignment's scores page and
 * grades.csv show) and the scores (the totals with every grade and comment).
 */
import type { AssignmentRow } from '../db/stores/courses.js';
import type {
  AssignmentScoreRows,
  ScoreCommentRow,
  ScoredCellRow,
  ScoreGradeRow,
  SubmittedNotebookRow,
} from '../db/stores/gradebook-scores.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import {
  inGradeIdOrder,
  notebookMaxima,
  notebookTotals,
  scoreNotebook,
  secondsLate,
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
 * assignment's scores page and the grades export show. Seven queries, however many students.
 */
export async function loadAssignmentSummary(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentSummary> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const rows = await store.scores.scoreRows(assignment.id);
  return assemble(assignment, rows, (cells, maxima, submitted, grades) =>
    notebookTotals(cells, maxima, grades, submitted),
  );
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
  const comments = groupBy(commentRows, (c: ScoreCommentRow) => c.submittedNotebookId);
  return assemble(assignment, rows, (cells, maxima, submitted, grades) =>
    scoreNotebook(cells, maxima, {
      grades,
      comments: comments.get(submitted.id) ?? [],
      flagged: submitted.flagged,
      latePenalty: submitted.latePenalty,
    }),
  );
}

type NotebookScorer<Notebook> = (
  cells: NotebookCells,
  maxima: NotebookMaxima,
  submitted: SubmittedNotebookRow,
  grades: ScoreGradeRow[],
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

/** The submissions' totals, computed from the rows of one set-based read. */
function assemble<Notebook extends NotebookTotals>(
  assignment: AssignmentRow,
  rows: AssignmentScoreRows,
  scoreNotebookOf: NotebookScorer<Notebook>,
): AssignmentOf<SubmissionOf<Notebook>> {
  const cells = cellsByNotebook(rows.cells);
  // Cells and maxima are the same for every submission of a notebook: worked out once.
  const notebooks = rows.notebooks.map((nb) => {
    const notebookCells: NotebookCells = cells.get(nb.id) ?? new Map();
    return { ...nb, cells: notebookCells, maxima: notebookMaxima(notebookCells) };
  });
  const maxScore = sum(notebooks.map((nb) => nb.maxima.maxScore));
  const submittedBySubmission = groupBy(rows.submittedNotebooks, (s) => s.submissionId);
  const grades = groupBy(rows.grades, (g) => g.submittedNotebookId);
  const dueAt = naiveUtcOrNull(assignment.duedate);

  const submissions = rows.submissions.map((sub): SubmissionOf<Notebook> => {
    const submitted = new Map((submittedBySubmission.get(sub.id) ?? []).map((s) => [s.notebookId, s]));
    const scored: Record<string, Notebook> = {};
    for (const nb of notebooks) {
      const notebook = submitted.get(nb.id);
      if (!notebook) continue;
      setOwn(scored, nb.name, scoreNotebookOf(nb.cells, nb.maxima, notebook, grades.get(notebook.id) ?? []));
    }
    const totals = submissionTotals(Object.values(scored));
    return {
      studentId: sub.studentId,
      firstName: sub.firstName,
      lastName: sub.lastName,
      email: sub.email,
      timestamp: sub.timestamp,
      secondsLate: secondsLate(naiveUtcOrNull(sub.timestamp), dueAt, sub.extensionSeconds),
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
