/**
 * Tables of the gradebook: courses, assignments, notebooks, grade/solution/task/source cells,
 * students, extensions, submissions, grades, comments. Same conventions as ./hub.ts:
 * timestamps are text (naive UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`, the form nbgrader exports),
 * booleans are integer 0/1, ids come from idColumn(). Every table is prefixed `gradebook_` so it
 * cannot collide with the hub's own tables (the hub also has users and courses).
 */
import type { Generated } from 'kysely';

export interface GradebookCourseTable {
  id: Generated<number>;
  name: string;
}

export interface GradebookAssignmentTable {
  id: Generated<number>;
  course_id: number;
  name: string;
  /** Naive UTC, or null when the assignment has no due date. */
  duedate: string | null;
}

export interface GradebookNotebookTable {
  id: Generated<number>;
  assignment_id: number;
  name: string;
  /** The kernelspec stored at generate time, as JSON text (OverwriteKernelspec restores it). */
  kernelspec: string | null;
}

/** Cells of the source notebooks, as generate stores them (grade, solution, task and source cells). */
export interface GradebookGradeCellTable {
  id: Generated<number>;
  notebook_id: number;
  name: string;
  max_score: number;
  cell_type: string;
}

export interface GradebookSolutionCellTable {
  id: Generated<number>;
  notebook_id: number;
  name: string;
}

export interface GradebookTaskCellTable {
  id: Generated<number>;
  notebook_id: number;
  name: string;
  max_score: number;
  cell_type: string;
}

export interface GradebookSourceCellTable {
  id: Generated<number>;
  notebook_id: number;
  name: string;
  cell_type: string;
  locked: number;
  source: string;
  checksum: string | null;
  /** Position in the source notebook; add_missing_cells needs the order. */
  position: number;
}

export interface GradebookStudentTable {
  id: Generated<number>;
  course_id: number;
  student_id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  lms_user_id: string | null;
}

export interface GradebookExtensionTable {
  id: Generated<number>;
  assignment_id: number;
  student_pk: number;
  /** The extension as seconds added to the due date. */
  seconds: number;
}

export interface GradebookSubmissionTable {
  id: Generated<number>;
  assignment_id: number;
  student_pk: number;
  /** Naive UTC from timestamp.txt, or null when there was none. */
  timestamp: string | null;
}

export interface GradebookSubmittedNotebookTable {
  id: Generated<number>;
  submission_id: number;
  notebook_id: number;
  flagged: number;
  late_submission_penalty: number | null;
}

export interface GradebookGradeTable {
  id: Generated<number>;
  submitted_notebook_id: number;
  name: string;
  /** 'grade' (a grade cell) or 'task' (a task cell). */
  cell_kind: string;
  auto_score: number | null;
  manual_score: number | null;
  extra_credit: number | null;
  needs_manual_grade: number;
}

export interface GradebookCommentTable {
  id: Generated<number>;
  submitted_notebook_id: number;
  name: string;
  /** 'solution' or 'task'. */
  cell_kind: string;
  auto_comment: string | null;
  manual_comment: string | null;
}

export interface GradebookTables {
  gradebook_course: GradebookCourseTable;
  gradebook_assignment: GradebookAssignmentTable;
  gradebook_notebook: GradebookNotebookTable;
  gradebook_grade_cell: GradebookGradeCellTable;
  gradebook_solution_cell: GradebookSolutionCellTable;
  gradebook_task_cell: GradebookTaskCellTable;
  gradebook_source_cell: GradebookSourceCellTable;
  gradebook_student: GradebookStudentTable;
  gradebook_extension: GradebookExtensionTable;
  gradebook_submission: GradebookSubmissionTable;
  gradebook_submitted_notebook: GradebookSubmittedNotebookTable;
  gradebook_grade: GradebookGradeTable;
  gradebook_comment: GradebookCommentTable;
}
