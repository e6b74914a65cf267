/**
 * SQL for submissions and what they hold: one submitted notebook per notebook of the assignment,
 * a grade per grade or task cell, a comment per solution or task cell, and the per-notebook flag
 * and late penalty. The rules (what autograde or a grader may change, and to what) are the
 * gradebook layer's (src/gradebook/submissions.ts, manual-grades.ts).
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { GradebookGradeTable } from '../tables/gradebook.js';

/** One grade (a grade or task cell of a submitted notebook). */
export interface GradeRow {
  id: number;
  name: string;
  /** 'grade' or 'task'. */
  cellKind: string;
  autoScore: number | null;
  manualScore: number | null;
  extraCredit: number | null;
  needsManualGrade: boolean;
}

/** The columns of a grade a caller may set; a key left out is left as it is. */
export interface GradeChanges {
  autoScore?: number | null;
  manualScore?: number | null;
  extraCredit?: number | null;
  needsManualGrade?: boolean;
}

const nullableNumber = (value: number | null) => (value === null ? null : Number(value));

function gradeRow(g: Omit<Selectable<GradebookGradeTable>, 'submitted_notebook_id'>): GradeRow {
  return {
    id: g.id,
    name: g.name,
    cellKind: g.cell_kind,
    autoScore: nullableNumber(g.auto_score),
    manualScore: nullableNumber(g.manual_score),
    extraCredit: nullableNumber(g.extra_credit),
    needsManualGrade: Number(g.needs_manual_grade) === 1,
  };
}

function gradeColumns(changes: GradeChanges) {
  return {
    ...(changes.autoScore !== undefined ? { auto_score: changes.autoScore } : {}),
    ...(changes.manualScore !== undefined ? { manual_score: changes.manualScore } : {}),
    ...(changes.extraCredit !== undefined ? { extra_credit: changes.extraCredit } : {}),
    ...(changes.needsManualGrade !== undefined
      ? { needs_manual_grade: changes.needsManualGrade ? 1 : 0 }
      : {}),
  };
}

export class SubmissionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** How many submissions the assignment, or the student, has. */
  async count(of: { assignmentId: number } | { studentPk: number }): Promise<number> {
    let query = this.db
      .selectFrom('gradebook_submission')
      .select((eb) => eb.fn.countAll<number | string>().as('n'));
    query =
      'assignmentId' in of
        ? query.where('assignment_id', '=', of.assignmentId)
        : query.where('student_pk', '=', of.studentPk);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The student's submission of the assignment with every row nbgrader gives a submission: one
   * submitted notebook per notebook of the assignment, a grade per grade and task cell (no score,
   * needing a grade) and a comment per solution and task cell. Rows that exist are kept, so
   * grades given earlier survive. A timestamp replaces the stored one; null keeps it. A fixed
   * number of queries, however many notebooks and cells. Returns the submitted notebooks' ids by
   * notebook name.
   */
  async ensure(
    assignmentId: number,
    studentPk: number,
    timestamp: string | null,
  ): Promise<Map<string, number>> {
    const submissionId = await this.ensureSubmissionRow(assignmentId, studentPk, timestamp);
    await this.db
      .insertInto('gradebook_submitted_notebook')
      .columns(['submission_id', 'notebook_id'])
      .expression((eb) =>
        eb
          .selectFrom('gradebook_notebook')
          .innerJoin(
            'gradebook_submission',
            'gradebook_submission.assignment_id',
            'gradebook_notebook.assignment_id',
          )
          .select(['gradebook_submission.id', 'gradebook_notebook.id as notebook_id'])
          .where('gradebook_submission.id', '=', submissionId),
      )
      .onConflict((oc) => oc.columns(['submission_id', 'notebook_id']).doNothing())
      .execute();
    // Grade cells before task cells, solution cells before task cells: a name in both keeps the first.
    await this.insertCellRows('gradebook_grade', 'gradebook_grade_cell', 'grade', submissionId);
    await this.insertCellRows('gradebook_grade', 'gradebook_task_cell', 'task', submissionId);
    await this.insertCellRows('gradebook_comment', 'gradebook_solution_cell', 'solution', submissionId);
    await this.insertCellRows('gradebook_comment', 'gradebook_task_cell', 'task', submissionId);
    const submitted = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', 'gradebook_submitted_notebook.notebook_id')
      .select(['gradebook_submitted_notebook.id', 'gradebook_notebook.name'])
      .where('gradebook_submitted_notebook.submission_id', '=', submissionId)
      .execute();
    return new Map(submitted.map((s) => [s.name, s.id]));
  }

  private async ensureSubmissionRow(
    assignmentId: number,
    studentPk: number,
    timestamp: string | null,
  ): Promise<number> {
    const existing = await this.db
      .selectFrom('gradebook_submission')
      .select('id')
      .where('assignment_id', '=', assignmentId)
      .where('student_pk', '=', studentPk)
      .executeTakeFirst();
    if (!existing) {
      const inserted = await this.db
        .insertInto('gradebook_submission')
        .values({ assignment_id: assignmentId, student_pk: studentPk, timestamp })
        .returning('id')
        .executeTakeFirstOrThrow();
      return inserted.id;
    }
    if (timestamp !== null) {
      await this.db
        .updateTable('gradebook_submission')
        .set({ timestamp })
        .where('id', '=', existing.id)
        .execute();
    }
    return existing.id;
  }

  /** A grade (or comment) row per cell of `cells` in each submitted notebook of the submission. */
  private async insertCellRows(
    into: 'gradebook_grade' | 'gradebook_comment',
    cells: 'gradebook_grade_cell' | 'gradebook_task_cell' | 'gradebook_solution_cell',
    kind: 'grade' | 'task' | 'solution',
    submissionId: number,
  ): Promise<void> {
    // Constants are literals, not parameters: PostgreSQL gives an untyped parameter in a SELECT
    // list the type text, which an integer column refuses. needs_manual_grade defaults to 1.
    await this.db
      .insertInto(into)
      .columns(['submitted_notebook_id', 'name', 'cell_kind'])
      .expression((eb) =>
        eb
          .selectFrom(cells)
          .innerJoin(
            'gradebook_submitted_notebook',
            'gradebook_submitted_notebook.notebook_id',
            `${cells}.notebook_id`,
          )
          .select(['gradebook_submitted_notebook.id', `${cells}.name`, sql.lit(kind).as('cell_kind')])
          .where('gradebook_submitted_notebook.submission_id', '=', submissionId),
      )
      .onConflict((oc) => oc.columns(['submitted_notebook_id', 'name']).doNothing())
      .execute();
  }

  private selectGrades(submittedNotebookId: number) {
    return this.db
      .selectFrom('gradebook_grade')
      .select(['id', 'name', 'cell_kind', 'auto_score', 'manual_score', 'extra_credit', 'needs_manual_grade'])
      .where('submitted_notebook_id', '=', submittedNotebookId);
  }

  /** The grades of a submitted notebook, in no particular order. */
  async listGrades(submittedNotebookId: number): Promise<GradeRow[]> {
    return (await this.selectGrades(submittedNotebookId).execute()).map(gradeRow);
  }

  async findGrade(submittedNotebookId: number, name: string): Promise<GradeRow | undefined> {
    const row = await this.selectGrades(submittedNotebookId).where('name', '=', name).executeTakeFirst();
    return row && gradeRow(row);
  }

  async updateGrade(gradeId: number, changes: GradeChanges): Promise<void> {
    const columns = gradeColumns(changes);
    if (Object.keys(columns).length === 0) return;
    await this.db.updateTable('gradebook_grade').set(columns).where('id', '=', gradeId).execute();
  }

  /** Sets the columns of every grade of a submitted notebook. */
  async updateAllGrades(submittedNotebookId: number, changes: GradeChanges): Promise<void> {
    const columns = gradeColumns(changes);
    if (Object.keys(columns).length === 0) return;
    await this.db
      .updateTable('gradebook_grade')
      .set(columns)
      .where('submitted_notebook_id', '=', submittedNotebookId)
      .execute();
  }

  /** Sets a comment's automatic or manual text; false when the notebook has no such comment. */
  async updateComment(
    submittedNotebookId: number,
    name: string,
    changes: { autoComment?: string | null; manualComment?: string | null },
  ): Promise<boolean> {
    const columns = {
      ...(changes.autoComment !== undefined ? { auto_comment: changes.autoComment } : {}),
      ...(changes.manualComment !== undefined ? { manual_comment: changes.manualComment } : {}),
    };
    if (Object.keys(columns).length === 0) return false;
    const updated = await this.db
      .updateTable('gradebook_comment')
      .set(columns)
      .where('submitted_notebook_id', '=', submittedNotebookId)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0;
  }

  /** The submitted notebook of that name in the student's submission of the assignment. */
  async findSubmittedNotebookId(
    assignmentId: number,
    studentPk: number,
    notebookName: string,
  ): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .innerJoin(
        'gradebook_submission',
        'gradebook_submission.id',
        'gradebook_submitted_notebook.submission_id',
      )
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', 'gradebook_submitted_notebook.notebook_id')
      .select('gradebook_submitted_notebook.id')
      .where('gradebook_submission.assignment_id', '=', assignmentId)
      .where('gradebook_submission.student_pk', '=', studentPk)
      .where('gradebook_notebook.name', '=', notebookName)
      .executeTakeFirst();
    return row?.id;
  }

  async setFlagged(submittedNotebookId: number, flagged: boolean): Promise<void> {
    await this.db
      .updateTable('gradebook_submitted_notebook')
      .set({ flagged: flagged ? 1 : 0 })
      .where('id', '=', submittedNotebookId)
      .execute();
  }

  /** null: no penalty assigned (nbgrader stores None). */
  async setLatePenalty(submittedNotebookId: number, penalty: number | null): Promise<void> {
    await this.db
      .updateTable('gradebook_submitted_notebook')
      .set({ late_submission_penalty: penalty })
      .where('id', '=', submittedNotebookId)
      .execute();
  }
}
