/**
 * The rows ./gradebook-scores.ts reads an assignment's (and a course's) scores into: plain data,
 * one shape per query.
 */
import type { GradeRow } from './gradebook-submissions.js';

export interface ScoredCellRow {
  notebookId: number;
  name: string;
  maxScore: number;
  cellType: 'code' | 'markdown';
  /** A task cell (else a grade cell). */
  task: boolean;
}

export interface SubmissionRow {
  id: number;
  /** Naive UTC, or null when the submission had no timestamp. */
  timestamp: string | null;
  studentId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** 0 without an extension. */
  extensionSeconds: number;
}

export interface SubmittedNotebookRow {
  id: number;
  submissionId: number;
  notebookId: number;
  flagged: boolean;
  latePenalty: number | null;
}

/** A grade as the score reads take it: by its submitted notebook rather than its own id. */
export type ScoreGradeRow = Omit<GradeRow, 'id'> & { submittedNotebookId: number };

export interface ScoreCommentRow {
  submittedNotebookId: number;
  name: string;
  /** 'solution' or 'task'. */
  cellKind: string;
  autoComment: string | null;
  manualComment: string | null;
}

/** A submitted notebook with nbgrader's sums over its grades (see notebookTotalRows). */
export interface NotebookTotalsRow {
  submissionId: number;
  notebookId: number;
  flagged: boolean;
  latePenalty: number | null;
  score: number;
  codeScore: number;
  writtenScore: number;
  taskScore: number;
  needsManualGrade: boolean;
  failedTests: boolean;
}

/** A submitted notebook's points (Grade.score summed) and flags, without the split by kind of cell. */
export type NotebookPointsRow = Pick<
  NotebookTotalsRow,
  'submissionId' | 'notebookId' | 'flagged' | 'latePenalty' | 'score' | 'needsManualGrade'
>;

/** A combination of a grade's values and how many submitted notebooks have it, per cell. */
export interface GradeValueCountRow {
  notebook: string;
  name: string;
  /** 'grade' or 'task'. */
  cellKind: string;
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  count: number;
}

/** What every read of an assignment's scores starts from: its notebooks, cells and submissions. */
export interface AssignmentHeaderRows {
  /** By name. */
  notebooks: Array<{ id: number; name: string }>;
  /** The graded cells of those notebooks: every grade cell, then every task cell. */
  cells: ScoredCellRow[];
  /** By student id. */
  submissions: SubmissionRow[];
}

/** Every row nbgrader's totals of an assignment's submissions are computed from. */
export interface AssignmentScoreRows extends AssignmentHeaderRows {
  submittedNotebooks: SubmittedNotebookRow[];
  /** In no particular order. */
  grades: ScoreGradeRow[];
}

/** The rows of an assignment's totals: one per submitted notebook, with its sums. */
export interface AssignmentSummaryRows extends AssignmentHeaderRows {
  /** In no particular order. */
  notebookTotals: NotebookTotalsRow[];
}

/** A submission of a course with what grades.csv shows: its points and late penalty, summed here. */
export interface CourseSubmissionTotalsRow {
  assignmentId: number;
  studentId: string;
  timestamp: string | null;
  /** The sum of its submitted notebooks' scores (nbgrader's Grade.score summed per notebook). */
  score: number;
  /** The sum of its submitted notebooks' late penalties (none counts as 0). */
  latePenalty: number;
}
