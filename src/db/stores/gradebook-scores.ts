/**
 * SQL for reading every score of an assignment at once, in a fixed number of queries however many
 * students, notebooks and cells there are (the formgrader lists thousands of students):
 *
 * - scoreRows: every grade (and commentRows every comment), from which the gradebook layer
 *   (src/gradebook/scores.ts) computes the totals with nbgrader's rules (src/grading/scores/);
 * - summaryRows: the totals only, summed here per submitted notebook (notebookTotalRows), so one
 *   row per submitted notebook reaches JavaScript instead of one per grade;
 * - pointsRows: the points only (no split by kind of cell), for lists and charts of a class.
 *
 * The rows' shapes are ./gradebook-score-rows.ts's.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.js';
import type {
  AssignmentHeaderRows,
  AssignmentScoreRows,
  AssignmentSummaryRows,
  CourseSubmissionTotalsRow,
  GradeValueCountRow,
  NotebookPointsRow,
  NotebookTotalsRow,
  ScoreCommentRow,
  ScoreGradeRow,
  ScoredCellRow,
  SubmissionRow,
  SubmittedNotebookRow,
} from './gradebook-score-rows.js';

export type * from './gradebook-score-rows.js';

const nullableNumber = (value: number | null) => (value === null ? null : Number(value));

/** A row of gradedNotebooks as the sums' common part. */
function notebookPoints(r: {
  submission_id: number;
  notebook_id: number;
  flagged: number | boolean;
  late_submission_penalty: number | null;
  score: number;
  needs_manual_grades: number;
}): NotebookPointsRow {
  return {
    submissionId: r.submission_id,
    notebookId: r.notebook_id,
    flagged: Number(r.flagged) === 1,
    latePenalty: nullableNumber(r.late_submission_penalty),
    score: Number(r.score),
    needsManualGrade: Number(r.needs_manual_grades) > 0,
  };
}
const cellType = (value: string): 'code' | 'markdown' => (value === 'markdown' ? 'markdown' : 'code');
/** `in (...)` needs at least one value: -1 is no row's id. */
const onlyThese = (pks: readonly number[]) => (pks.length > 0 ? [...pks] : [-1]);

/**
 * A grade's points, nbgrader's Grade.score as api.py writes it: the manual score if set, else the
 * automatic one, plus extra credit either way; 0 when neither is set.
 */
const GRADE_POINTS = sql<number>`case
  when gradebook_grade.manual_score is not null
    then gradebook_grade.manual_score + coalesce(gradebook_grade.extra_credit, 0.0)
  when gradebook_grade.auto_score is not null
    then gradebook_grade.auto_score + coalesce(gradebook_grade.extra_credit, 0.0)
  else 0.0 end`;

export class ScoreStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The rows behind every total of the assignment: six queries, independent of its size. */
  async scoreRows(assignmentId: number): Promise<AssignmentScoreRows> {
    const [header, submittedNotebooks, grades] = await Promise.all([
      this.header(assignmentId),
      this.submittedNotebooks(assignmentId),
      this.grades(assignmentId),
    ]);
    return { ...header, submittedNotebooks, grades };
  }

  /**
   * The rows of the assignment's totals, summed per submitted notebook: five queries, independent
   * of its size. With `studentPks`, only those students' submissions (a page of the gradebook).
   */
  async summaryRows(assignmentId: number, studentPks?: readonly number[]): Promise<AssignmentSummaryRows> {
    const [header, notebookTotals] = await Promise.all([
      this.header(assignmentId, studentPks),
      this.notebookTotalRows(assignmentId, studentPks),
    ]);
    return { ...header, notebookTotals };
  }

  /**
   * The rows of the assignment's points only (no code / written / task split, no failed tests):
   * five queries. Without the split no grade is joined to its cell, which halves the database's
   * work and the columns read: what a list of 2,000 submissions and its charts need.
   */
  async pointsRows(
    assignmentId: number,
  ): Promise<AssignmentHeaderRows & { notebookPoints: NotebookPointsRow[] }> {
    const [header, notebookPoints] = await Promise.all([
      this.header(assignmentId),
      this.notebookPointsRows(assignmentId),
    ]);
    return { ...header, notebookPoints };
  }

  /** The assignment's notebooks and graded cells, without its submissions: three queries. */
  async cellRows(assignmentId: number): Promise<Omit<AssignmentHeaderRows, 'submissions'>> {
    const [notebooks, gradeCells, taskCells] = await Promise.all([
      this.notebooks(assignmentId),
      this.scoredCells('gradebook_grade_cell', assignmentId),
      this.scoredCells('gradebook_task_cell', assignmentId),
    ]);
    return { notebooks, cells: [...gradeCells, ...taskCells] };
  }

  /**
   * Every submission of the course with its score and late penalty, for grades.csv: one query
   * whatever the size of the course. The points are summed per submitted notebook (as
   * notebookTotalRows sums them, Grade.score) and those sums per submission; no cell is joined,
   * since the score does not depend on which sum (code, written, task) a grade goes to.
   */
  async courseSubmissionTotals(courseId: number): Promise<CourseSubmissionTotalsRow[]> {
    const perNotebook = this.db
      .selectFrom('gradebook_submitted_notebook')
      .leftJoin('gradebook_grade', 'gradebook_grade.submitted_notebook_id', 'gradebook_submitted_notebook.id')
      .select([
        'gradebook_submitted_notebook.submission_id',
        'gradebook_submitted_notebook.late_submission_penalty',
        sql<number>`coalesce(sum(${GRADE_POINTS}), 0.0)`.as('score'),
      ])
      .groupBy('gradebook_submitted_notebook.id');
    const rows = await this.db
      .selectFrom('gradebook_submission')
      .innerJoin('gradebook_assignment', 'gradebook_assignment.id', 'gradebook_submission.assignment_id')
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
      .leftJoin(perNotebook.as('notebook_totals'), 'notebook_totals.submission_id', 'gradebook_submission.id')
      .select([
        'gradebook_submission.assignment_id',
        'gradebook_student.student_id',
        'gradebook_submission.timestamp',
        sql<number>`coalesce(sum(notebook_totals.score), 0.0)`.as('score'),
        sql<number>`coalesce(sum(coalesce(notebook_totals.late_submission_penalty, 0.0)), 0.0)`.as(
          'late_penalty',
        ),
      ])
      .where('gradebook_assignment.course_id', '=', courseId)
      .groupBy(['gradebook_submission.id', 'gradebook_student.student_id'])
      .execute();
    return rows.map((r) => ({
      assignmentId: r.assignment_id,
      studentId: r.student_id,
      timestamp: r.timestamp,
      score: Number(r.score),
      latePenalty: Number(r.late_penalty),
    }));
  }

  /** Four queries. */
  private async header(assignmentId: number, studentPks?: readonly number[]): Promise<AssignmentHeaderRows> {
    const [notebooks, gradeCells, taskCells, submissions] = await Promise.all([
      this.notebooks(assignmentId),
      this.scoredCells('gradebook_grade_cell', assignmentId),
      this.scoredCells('gradebook_task_cell', assignmentId),
      this.submissions(assignmentId, studentPks),
    ]);
    return { notebooks, cells: [...gradeCells, ...taskCells], submissions };
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

  private async submissions(assignmentId: number, studentPks?: readonly number[]): Promise<SubmissionRow[]> {
    let query = this.db
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
      .orderBy('gradebook_student.student_id');
    if (studentPks) query = query.where('gradebook_submission.student_pk', 'in', onlyThese(studentPks));
    const rows = await query.execute();
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
  private submittedNotebooksOf(assignmentId: number, studentPks?: readonly number[]) {
    const query = this.db
      .selectFrom('gradebook_submission')
      .innerJoin(
        'gradebook_submitted_notebook',
        'gradebook_submitted_notebook.submission_id',
        'gradebook_submission.id',
      )
      .where('gradebook_submission.assignment_id', '=', assignmentId);
    return studentPks ? query.where('gradebook_submission.student_pk', 'in', onlyThese(studentPks)) : query;
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

  /**
   * Every submitted notebook of the assignment with nbgrader's sums over its grades: one query,
   * one row per submitted notebook (a notebook without grades sums to 0).
   *
   * This is nbgrader's SubmittedNotebook column properties (nbgrader/api.py: score, code_score,
   * written_score, task_score, needs_manual_grade, failed_tests) over Grade.score and
   * Grade.failed_tests, the same rule src/grading/scores/ applies to the grade rows in JavaScript
   * (gradeScore in grade-score.ts, notebookTotals and failedTests in notebook-scores.ts, which
   * loadAssignmentScores uses). One rule written twice: test/gradebook/summary-rule.test.ts fills
   * gradebooks with random grades and checks that the two agree, on SQLite and PostgreSQL.
   *
   * - A grade's points (Grade.score): its manual score if set, else its automatic score, plus
   *   extra credit either way; 0, extra credit or not, when neither is set.
   * - A grade belongs to the cell of its kind and name in the notebook (a task grade to a task
   *   cell). A grade whose cell is gone (nbgrader's foreign key has no such case; generate here
   *   replaces cells by name) counts as a code cell worth 0.
   * - Task grades count as task score (nbgrader's task cells are all markdown); the other grades as
   *   written score when their cell is markdown, else as code score.
   * - failed_tests: any code grade cell whose automatic score is below the cell's points.
   * - needs_manual_grade: any grade that needs one.
   *
   * The sums are the database's SUM, as in nbgrader. SQLite's compensates for rounding
   * (Kahan-Babuska-Neumaier, since 3.43) and PostgreSQL's adds in the order it reads the rows,
   * where the JavaScript rule adds from left to right in listing order: the results are the same
   * whenever the additions are exact (points in halves or quarters, as nbgrader's usually are) and
   * can otherwise differ in the last bit.
   */
  async notebookTotalRows(
    assignmentId: number,
    studentPks?: readonly number[],
  ): Promise<NotebookTotalsRow[]> {
    // Which sum a grade's points go to. Its cell is the grade cell joined below: none for a task
    // grade, nor for a grade whose cell is gone (a code cell worth 0).
    const isTask = sql<boolean>`gradebook_grade.cell_kind = 'task'`;
    const isWritten = sql<boolean>`gradebook_grade_cell.cell_type = 'markdown'`;
    const isCode = sql<boolean>`gradebook_grade.cell_kind <> 'task'
      and coalesce(gradebook_grade_cell.cell_type, 'code') <> 'markdown'`;
    const sumOf = (where: RawBuilder<boolean>) =>
      sql<number>`coalesce(sum(${GRADE_POINTS}) filter (where ${where}), 0.0)`;
    const rows = await this.gradedNotebooks(assignmentId, studentPks)
      .leftJoin('gradebook_grade_cell', (join) =>
        join
          .on('gradebook_grade.cell_kind', '<>', sql.lit('task'))
          .onRef('gradebook_grade_cell.notebook_id', '=', 'gradebook_submitted_notebook.notebook_id')
          .onRef('gradebook_grade_cell.name', '=', 'gradebook_grade.name'),
      )
      // Only what the totals show: on Node 20 better-sqlite3 builds each row key by key, so every
      // column of 10,000 rows costs about 2 ms.
      .select([
        sumOf(isCode).as('code_score'),
        sumOf(isWritten).as('written_score'),
        sumOf(isTask).as('task_score'),
        // Grade.failed_tests.
        sql<number>`count(*) filter (where ${isCode}
          and gradebook_grade.auto_score < coalesce(gradebook_grade_cell.max_score, 0.0))`.as('failed_tests'),
      ])
      .execute();
    return rows.map((r) => ({
      ...notebookPoints(r),
      codeScore: Number(r.code_score),
      writtenScore: Number(r.written_score),
      taskScore: Number(r.task_score),
      failedTests: Number(r.failed_tests) > 0,
    }));
  }

  /**
   * notebookTotalRows' score, needs_manual_grade, flag and late penalty per submitted notebook:
   * the same sum over the same rows, with no join to the grade cells.
   */
  async notebookPointsRows(assignmentId: number): Promise<NotebookPointsRow[]> {
    return (await this.gradedNotebooks(assignmentId).execute()).map(notebookPoints);
  }

  /**
   * The assignment's submitted notebooks joined to their grades, a group each, with the columns
   * both sums read: the notebook's own, its points (Grade.score summed) and its grades needing a
   * manual grade.
   */
  private gradedNotebooks(assignmentId: number, studentPks?: readonly number[]) {
    return (
      this.submittedNotebooksOf(assignmentId, studentPks)
        .leftJoin(
          'gradebook_grade',
          'gradebook_grade.submitted_notebook_id',
          'gradebook_submitted_notebook.id',
        )
        .select([
          'gradebook_submitted_notebook.submission_id',
          'gradebook_submitted_notebook.notebook_id',
          'gradebook_submitted_notebook.flagged',
          'gradebook_submitted_notebook.late_submission_penalty',
          sql<number>`coalesce(sum(${GRADE_POINTS}), 0.0)`.as('score'),
          sql<number>`count(*) filter (where gradebook_grade.needs_manual_grade = 1)`.as(
            'needs_manual_grades',
          ),
        ])
        // One group per submitted notebook, named in the order the rows are read (a submission per
        // student, a submitted notebook per notebook of it), so SQLite groups without sorting; its
        // id lets PostgreSQL select the submitted notebook's columns.
        .groupBy([
          'gradebook_submission.student_pk',
          'gradebook_submitted_notebook.notebook_id',
          'gradebook_submitted_notebook.id',
        ])
    );
  }

  /**
   * How many submitted notebooks have each combination of a grade's values, per graded cell of the
   * assignment: one query, a few rows per cell however many students (the analytics' histograms;
   * the caller applies Grade.score to each combination).
   */
  async gradeValueCounts(assignmentId: number): Promise<GradeValueCountRow[]> {
    const rows = await this.submittedNotebooksOf(assignmentId)
      .innerJoin(
        'gradebook_grade',
        'gradebook_grade.submitted_notebook_id',
        'gradebook_submitted_notebook.id',
      )
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', 'gradebook_submitted_notebook.notebook_id')
      .select([
        'gradebook_notebook.name as notebook',
        'gradebook_grade.name',
        'gradebook_grade.cell_kind',
        'gradebook_grade.auto_score',
        'gradebook_grade.manual_score',
        'gradebook_grade.extra_credit',
        sql<number>`count(*)`.as('count'),
      ])
      .groupBy([
        'gradebook_notebook.name',
        'gradebook_grade.name',
        'gradebook_grade.cell_kind',
        'gradebook_grade.auto_score',
        'gradebook_grade.manual_score',
        'gradebook_grade.extra_credit',
      ])
      .execute();
    return rows.map((r) => ({
      notebook: r.notebook,
      name: r.name,
      cellKind: r.cell_kind,
      autoScore: nullableNumber(r.auto_score),
      manualScore: nullableNumber(r.manual_score),
      extraCredit: nullableNumber(r.extra_credit),
      count: Number(r.count),
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
