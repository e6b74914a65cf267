/**
 * SQL for reading every score of an assignment at once: the rows behind nbgrader's totals for all
 * its submissions, in six queries (and one more for the comments) however many students,
 * notebooks and cells there are; the formgrader lists thousands of students. The totals themselves
 * are computed from these rows by the gradebook layer (src/gradebook/scores.ts) with nbgrader's
 * rules (src/grading/scores/).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

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

export interface ScoreGradeRow {
  submittedNotebookId: number;
  name: string;
  /** 'grade' or 'task'. */
  cellKind: string;
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  needsManualGrade: boolean;
}

export interface ScoreCommentRow {
  submittedNotebookId: number;
  name: string;
  /** 'solution' or 'task'. */
  cellKind: string;
  autoComment: string | null;
  manualComment: string | null;
}

/** Every row nbgrader's totals of an assignment's submissions are computed from. */
export interface AssignmentScoreRows {
  /** By name. */
  notebooks: Array<{ id: number; name: string }>;
  /** The graded cells of those notebooks: every grade cell, then every task cell. */
  cells: ScoredCellRow[];
  /** By student id. */
  submissions: SubmissionRow[];
  submittedNotebooks: SubmittedNotebookRow[];
  /** In no particular order. */
  grades: ScoreGradeRow[];
}

const nullableNumber = (value: number | null) => (value === null ? null : Number(value));
const cellType = (value: string): 'code' | 'markdown' => (value === 'markdown' ? 'markdown' : 'code');

export class ScoreStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The rows behind every total of the assignment: six queries, independent of its size. */
  async scoreRows(assignmentId: number): Promise<AssignmentScoreRows> {
    const [notebooks, gradeCells, taskCells, submissions, submittedNotebooks, grades] = await Promise.all([
      this.notebooks(assignmentId),
      this.scoredCells('gradebook_grade_cell', assignmentId),
      this.scoredCells('gradebook_task_cell', assignmentId),
      this.submissions(assignmentId),
      this.submittedNotebooks(assignmentId),
      this.grades(assignmentId),
    ]);
    return { notebooks, cells: [...gradeCells, ...taskCells], submissions, submittedNotebooks, grades };
  }

  private notebooks(assignmentId: number) {
    return this.db
      .selectFrom('gradebook_notebook')
      .select(['id', 'name'])
      .where('assignment_id', '=', assignmentId)
      .orderBy('name')
      .execute();
  }

  private async scoredCells(
    table: 'gradebook_grade_cell' | 'gradebook_task_cell',
    assignmentId: number,
  ): Promise<ScoredCellRow[]> {
    const rows = await this.db
      .selectFrom(table)
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', `${table}.notebook_id`)
      .select([`${table}.notebook_id`, `${table}.name`, `${table}.max_score`, `${table}.cell_type`])
      .where('gradebook_notebook.assignment_id', '=', assignmentId)
      .execute();
    return rows.map((r) => ({
      notebookId: r.notebook_id,
      name: r.name,
      maxScore: Number(r.max_score),
      cellType: cellType(r.cell_type),
      task: table === 'gradebook_task_cell',
    }));
  }

  private async submissions(assignmentId: number): Promise<SubmissionRow[]> {
    const rows = await this.db
      .selectFrom('gradebook_submission')
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
      .leftJoin('gradebook_extension', (join) =>
        join
          .onRef('gradebook_extension.assignment_id', '=', 'gradebook_submission.assignment_id')
          .onRef('gradebook_extension.student_pk', '=', 'gradebook_submission.student_pk'),
      )
      .select([
        'gradebook_submission.id',
        'gradebook_submission.timestamp',
        'gradebook_student.student_id',
        'gradebook_student.first_name',
        'gradebook_student.last_name',
        'gradebook_student.email',
        'gradebook_extension.seconds',
      ])
      .where('gradebook_submission.assignment_id', '=', assignmentId)
      .orderBy('gradebook_student.student_id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      timestamp: r.timestamp,
      studentId: r.student_id,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      extensionSeconds: Number(r.seconds ?? 0),
    }));
  }

  private async submittedNotebooks(assignmentId: number): Promise<SubmittedNotebookRow[]> {
    const rows = await this.submittedNotebooksOf(assignmentId)
      .select([
        'gradebook_submitted_notebook.id',
        'gradebook_submitted_notebook.submission_id',
        'gradebook_submitted_notebook.notebook_id',
        'gradebook_submitted_notebook.flagged',
        'gradebook_submitted_notebook.late_submission_penalty',
      ])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      submissionId: r.submission_id,
      notebookId: r.notebook_id,
      flagged: Number(r.flagged) === 1,
      latePenalty: nullableNumber(r.late_submission_penalty),
    }));
  }

  /** The submissions of the assignment with their submitted notebooks, to join a table to. */
  private submittedNotebooksOf(assignmentId: number) {
    return this.db
      .selectFrom('gradebook_submission')
      .innerJoin(
        'gradebook_submitted_notebook',
        'gradebook_submitted_notebook.submission_id',
        'gradebook_submission.id',
      )
      .where('gradebook_submission.assignment_id', '=', assignmentId);
  }

  private async grades(assignmentId: number): Promise<ScoreGradeRow[]> {
    const rows = await this.submittedNotebooksOf(assignmentId)
      .innerJoin(
        'gradebook_grade',
        'gradebook_grade.submitted_notebook_id',
        'gradebook_submitted_notebook.id',
      )
      .select([
        'gradebook_grade.submitted_notebook_id',
        'gradebook_grade.name',
        'gradebook_grade.cell_kind',
        'gradebook_grade.auto_score',
        'gradebook_grade.manual_score',
        'gradebook_grade.extra_credit',
        'gradebook_grade.needs_manual_grade',
      ])
      .execute();
    return rows.map((g) => ({
      submittedNotebookId: g.submitted_notebook_id,
      name: g.name,
      cellKind: g.cell_kind,
      autoScore: nullableNumber(g.auto_score),
      manualScore: nullableNumber(g.manual_score),
      extraCredit: nullableNumber(g.extra_credit),
      needsManualGrade: Number(g.needs_manual_grade) === 1,
    }));
  }

  /** Every comment of the assignment's submissions, in no particular order: one query. */
  async commentRows(assignmentId: number): Promise<ScoreCommentRow[]> {
    const rows = await this.submittedNotebooksOf(assignmentId)
      .innerJoin(
        'gradebook_comment',
        'gradebook_comment.submitted_notebook_id',
        'gradebook_submitted_notebook.id',
      )
      .select([
        'gradebook_comment.submitted_notebook_id',
        'gradebook_comment.name',
        'gradebook_comment.cell_kind',
        'gradebook_comment.auto_comment',
        'gradebook_comment.manual_comment',
      ])
      .execute();
    return rows.map((c) => ({
      submittedNotebookId: c.submitted_notebook_id,
      name: c.name,
      cellKind: c.cell_kind,
      autoComment: c.auto_comment,
      manualComment: c.manual_comment,
    }));
  }
}
