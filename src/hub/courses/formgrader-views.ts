/**
 * What the formgrader's views hold (./formgrader.ts builds them): the submissions list and its
 * query, one notebook to grade, one question across the students, and the polled field state.
 */
import type { HubCourseRow } from '../../exchange/courses/course-service.js';
import type { GradingCell } from '../../render/index.js';
import type { FieldState } from './grading-saves.js';

export const SUBMISSION_STATES = [
  'not submitted',
  'submitted',
  'needs manual grading',
  'flagged',
  'graded',
  'autograded',
] as const;
export type SubmissionState = (typeof SUBMISSION_STATES)[number];

/** A student as grading pages show them: `key` in addresses, `label` in text. */
export interface GradedStudent {
  key: string;
  label: string;
}

export interface SubmissionListRow extends GradedStudent {
  state: SubmissionState;
  /** Naive UTC of the submission, or null. */
  timestamp: string | null;
  late: boolean;
  /** After the late penalty; null when not autograded. */
  score: number | null;
  maxScore: number;
  /** The notebooks graded, to link to. */
  notebooks: string[];
}

export interface ListQuery {
  sort?: 'student' | 'timestamp' | 'state' | 'score';
  order?: 'asc' | 'desc';
  state?: SubmissionState;
  /** Part of the student's label. */
  search?: string;
  /** 1-based page of the filtered, sorted rows (LIST_PAGE_SIZE each, unless pageSize says). */
  page?: number;
  /** Rows per page; Infinity for all of them on one (the API's list). */
  pageSize?: number;
}

/** Rows per page of the submissions list: 2,000 students on one page took long to build and read. */
export const LIST_PAGE_SIZE = 100;

export interface SubmissionsList {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  assignment: string;
  duedate: string | null;
  anonymous: boolean;
  notebooks: string[];
  maxScore: number;
  /** This page's rows of the filtered, sorted list. */
  rows: SubmissionListRow[];
  /** 1-based; the filtered rows (rowCount of them) are split into pageCount pages. */
  page: number;
  pageCount: number;
  rowCount: number;
  /** The graded cells (grade and task cells) of each notebook, to grade by question. */
  questions: { notebook: string; cell: string; maxScore: number }[];
  /** Every row before the query's filter, by state. */
  counts: Record<SubmissionState, number>;
}

export interface CellGrading {
  gradeId: string;
  maxScore: number;
  /** Grade and task cells. */
  grade?: {
    autoScore: number | null;
    manualScore: number | null;
    extraCredit: number | null;
    needsManualGrade: boolean;
  };
  /** Answer and task cells. */
  comment?: { autoComment: string | null; manualComment: string | null };
}

export interface GradingView {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  assignment: string;
  notebook: string;
  student: GradedStudent;
  anonymous: boolean;
  timestamp: string | null;
  late: boolean;
  score: number;
  maxScore: number;
  flagged: boolean;
  /** The cells in grading mode (sanitized), with each graded cell's grading by grade id. */
  cells: GradingCell[];
  grading: Record<string, CellGrading>;
  /** The newest saved version of every field (a field never saved by hand has version 0). */
  fields: FieldState[];
  previous: string | null;
  next: string | null;
  /** The next student (after this one, in list order) whose notebook needs manual grading. */
  nextNeedingGrading: string | null;
}

/** One student's answer to the question, with its grading. */
export interface QuestionEntry {
  student: GradedStudent;
  cell: GradingCell;
  grading: CellGrading;
  fields: FieldState[];
  needsManualGrade: boolean;
}

/** One graded cell across every student who submitted its notebook (grading by question). */
export interface QuestionView {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  assignment: string;
  notebook: string;
  cell: string;
  anonymous: boolean;
  /** This page's students (QUESTION_PAGE_SIZE at most), in list order. */
  entries: QuestionEntry[];
  /** 1-based; the students who submitted the notebook are split into pageCount pages. */
  page: number;
  pageCount: number;
  studentCount: number;
}

/** Students per page of grading by question: a class of 2,000 on one page took seconds to build. */
export const QUESTION_PAGE_SIZE = 50;

/** What a grading page needs to see others' saves: each field's value and version, no rendering. */
export interface GradingState {
  student: GradedStudent;
  anonymous: boolean;
  notebook: string;
  flagged: boolean;
  cells: {
    gradeId: string;
    grade?: {
      autoScore: number | null;
      manualScore: number | null;
      extraCredit: number | null;
      needsManualGrade: boolean;
    };
    comment?: { autoComment: string | null; manualComment: string | null };
  }[];
  fields: FieldState[];
}
