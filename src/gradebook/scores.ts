/**
 * nbgrader's computed totals (api.py column properties) for every submission of an assignment.
 * The rows come from one set-based read (src/db/stores/gradebook-scores.ts: a fixed number of
 * queries, however many students and notebooks), and the totals are computed from them here with
 * nbgrader's rules (src/grading/scores/), so SQLite and PostgreSQL give the same numbers through
 * one code path.
 */
import type { AssignmentRow } from '../db/stores/courses.js';
import type { AssignmentScoreRows, ScoredCellRow } from '../db/stores/gradebook-scores.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import {
  inGradeIdOrder,
  maxScoreOf,
  scoreNotebook,
  secondsLate,
  submissionTotals,
  sum,
  type NotebookCells,
  type NotebookScores,
} from '../grading/scores/index.js';
import { requireAssignment } from './courses.js';
import { parseNaiveUtc } from './timestamps.js';

export type { CommentRecord, GradeScore, NotebookScores } from '../grading/scores/index.js';

export interface SubmissionScores {
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
  notebooks: Record<string, NotebookScores>;
}

export interface AssignmentScores {
  assignment: string;
  duedate: string | null;
  maxScore: number;
  notebooks: string[];
  submissions: SubmissionScores[];
}

/** Every submission of an assignment with nbgrader's totals, students in id order. */
export async function loadAssignmentScores(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
): Promise<AssignmentScores> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  return assignmentScores(assignment, await store.scores.assignmentRows(assignment.id));
}

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

/** The totals, computed from the rows of one set-based read. */
function assignmentScores(assignment: AssignmentRow, rows: AssignmentScoreRows): AssignmentScores {
  const cells = cellsByNotebook(rows.cells);
  const cellsOf = (notebookId: number): NotebookCells => cells.get(notebookId) ?? new Map();
  const maxScore = sum(rows.notebooks.map((nb) => maxScoreOf(cellsOf(nb.id))));
  const submittedBySubmission = groupBy(rows.submittedNotebooks, (s) => s.submissionId);
  const grades = groupBy(rows.grades, (g) => g.submittedNotebookId);
  const comments = groupBy(rows.comments, (c) => c.submittedNotebookId);
  const dueAt = naiveUtcOrNull(assignment.duedate);

  const submissions = rows.submissions.map((sub): SubmissionScores => {
    const submitted = new Map((submittedBySubmission.get(sub.id) ?? []).map((s) => [s.notebookId, s]));
    const notebooks: Record<string, NotebookScores> = {};
    for (const nb of rows.notebooks) {
      const notebook = submitted.get(nb.id);
      if (!notebook) continue;
      notebooks[nb.name] = scoreNotebook(cellsOf(nb.id), {
        grades: inGradeIdOrder(grades.get(notebook.id) ?? []),
        comments: inGradeIdOrder(comments.get(notebook.id) ?? []),
        flagged: notebook.flagged,
        latePenalty: notebook.latePenalty,
      });
    }
    const totals = submissionTotals(Object.values(notebooks));
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
      notebooks,
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
