/**
 * SQL of grading by hand (../tables/grading.ts): a course's anonymous settings and pseudonym
 * secret, and the log of saved edits with a version per field. The rules (who may change what,
 * what a conflict is) are src/hub/grading/'s.
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../schema-helpers.js';
import type { Database } from '../schema.js';

/** The newest saved value of one field of a graded cell. */
export interface FieldEditRow {
  submittedNotebookId: number;
  cell: string;
  field: string;
  version: number;
  /** JSON text. */
  value: string;
  editedBy: string;
  editedAt: string;
}

export interface AnonymitySettingRow {
  /** '' for the course as a whole. */
  assignment: string;
  anonymous: boolean | null;
  changedBy: string | null;
  changedAt: string;
}

export class GradingStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** The course's anonymous settings: its own ('') and each assignment's that has one. */
  async anonymitySettings(courseId: number): Promise<AnonymitySettingRow[]> {
    const rows = await this.db
      .selectFrom('grading_settings')
      .select(['assignment', 'anonymous', 'changed_by', 'changed_at'])
      .where('course_id', '=', courseId)
      .execute();
    return rows.map((r) => ({
      assignment: r.assignment,
      anonymous: r.anonymous === null ? null : Number(r.anonymous) === 1,
      changedBy: r.changed_by,
      changedAt: r.changed_at,
    }));
  }

  async setAnonymous(
    courseId: number,
    assignment: string,
    anonymous: boolean | null,
    by: string,
  ): Promise<void> {
    const value = anonymous === null ? null : anonymous ? 1 : 0;
    await this.db
      .insertInto('grading_settings')
      .values({
        course_id: courseId,
        assignment,
        anonymous: value,
        pseudonym_secret: null,
        changed_by: by,
        changed_at: nowIso(),
      })
      .onConflict((oc) =>
        oc
          .columns(['course_id', 'assignment'])
          .doUpdateSet({ anonymous: value, changed_by: by, changed_at: nowIso() }),
      )
      .execute();
  }

  /** The course's pseudonym secret, made from `fresh` the first time it is asked for. */
  async pseudonymSecret(courseId: number, fresh: () => string): Promise<string> {
    const read = () =>
      this.db
        .selectFrom('grading_settings')
        .select('pseudonym_secret')
        .where('course_id', '=', courseId)
        .where('assignment', '=', '')
        .executeTakeFirst();
    const row = await read();
    if (row?.pseudonym_secret) return row.pseudonym_secret;
    const secret = fresh();
    if (row) {
      // Only where none is set yet: two first asks at once agree on the one written first.
      await this.db
        .updateTable('grading_settings')
        .set({ pseudonym_secret: secret })
        .where('course_id', '=', courseId)
        .where('assignment', '=', '')
        .where('pseudonym_secret', 'is', null)
        .execute();
    } else {
      await this.db
        .insertInto('grading_settings')
        .values({
          course_id: courseId,
          assignment: '',
          anonymous: null,
          pseudonym_secret: secret,
          changed_by: null,
          changed_at: nowIso(),
        })
        .onConflict((oc) => oc.columns(['course_id', 'assignment']).doNothing())
        .execute();
    }
    return (await read())!.pseudonym_secret!;
  }

  /** The newest edit of every field of the submitted notebooks (none for a field never edited). */
  async latestEdits(submittedNotebookIds: readonly number[]): Promise<FieldEditRow[]> {
    if (submittedNotebookIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('grading_edits as e')
      .select([
        'e.submitted_notebook_id',
        'e.cell',
        'e.field',
        'e.version',
        'e.value',
        'e.edited_by',
        'e.edited_at',
      ])
      .where('e.submitted_notebook_id', 'in', submittedNotebookIds)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('grading_edits as newer')
              .select('newer.id')
              .whereRef('newer.submitted_notebook_id', '=', 'e.submitted_notebook_id')
              .whereRef('newer.cell', '=', 'e.cell')
              .whereRef('newer.field', '=', 'e.field')
              .whereRef('newer.version', '>', 'e.version'),
          ),
        ),
      )
      .execute();
    return rows.map((r) => ({
      submittedNotebookId: r.submitted_notebook_id,
      cell: r.cell,
      field: r.field,
      version: Number(r.version),
      value: r.value,
      editedBy: r.edited_by,
      editedAt: r.edited_at,
    }));
  }

  /**
   * Appends an edit with `version`; the unique (notebook, cell, field, version) refuses a second
   * edit made from the same version at the same moment (the caller reads again and retries).
   */
  async appendEdit(edit: Omit<FieldEditRow, 'editedAt'>): Promise<FieldEditRow> {
    const editedAt = nowIso();
    await this.db
      .insertInto('grading_edits')
      .values({
        submitted_notebook_id: edit.submittedNotebookId,
        cell: edit.cell,
        field: edit.field,
        version: edit.version,
        value: edit.value,
        edited_by: edit.editedBy,
        edited_at: editedAt,
      })
      .execute();
    return { ...edit, editedAt };
  }

  /** Every edit of one field, oldest first (nothing a grader saved is ever lost). */
  async history(submittedNotebookId: number, cell: string, field: string): Promise<FieldEditRow[]> {
    const rows = await this.db
      .selectFrom('grading_edits')
      .select(['submitted_notebook_id', 'cell', 'field', 'version', 'value', 'edited_by', 'edited_at'])
      .where('submitted_notebook_id', '=', submittedNotebookId)
      .where('cell', '=', cell)
      .where('field', '=', field)
      .orderBy('version')
      .execute();
    return rows.map((r) => ({
      submittedNotebookId: r.submitted_notebook_id,
      cell: r.cell,
      field: r.field,
      version: Number(r.version),
      value: r.value,
      editedBy: r.edited_by,
      editedAt: r.edited_at,
    }));
  }

  /** The points of a graded cell (grade or task cell) of a submitted notebook; undefined if none. */
  async cellMaxScore(submittedNotebookId: number, cell: string): Promise<number | undefined> {
    const grade = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .innerJoin(
        'gradebook_grade_cell',
        'gradebook_grade_cell.notebook_id',
        'gradebook_submitted_notebook.notebook_id',
      )
      .select('gradebook_grade_cell.max_score')
      .where('gradebook_submitted_notebook.id', '=', submittedNotebookId)
      .where('gradebook_grade_cell.name', '=', cell)
      .executeTakeFirst();
    if (grade) return Number(grade.max_score);
    const task = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .innerJoin(
        'gradebook_task_cell',
        'gradebook_task_cell.notebook_id',
        'gradebook_submitted_notebook.notebook_id',
      )
      .select('gradebook_task_cell.max_score')
      .where('gradebook_submitted_notebook.id', '=', submittedNotebookId)
      .where('gradebook_task_cell.name', '=', cell)
      .executeTakeFirst();
    if (task) return Number(task.max_score);
    return undefined;
  }

  /** The students whose submission of the assignment a grader saved a score or comment for: one query. */
  async editedStudentIds(assignmentId: number): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('grading_edits')
      .innerJoin(
        'gradebook_submitted_notebook',
        'gradebook_submitted_notebook.id',
        'grading_edits.submitted_notebook_id',
      )
      .innerJoin(
        'gradebook_submission',
        'gradebook_submission.id',
        'gradebook_submitted_notebook.submission_id',
      )
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
      .select('gradebook_student.student_id')
      .distinct()
      .where('gradebook_submission.assignment_id', '=', assignmentId)
      .where('grading_edits.field', '<>', 'flag')
      .execute();
    return new Set(rows.map((r) => r.student_id));
  }

  /** The grade and task cells of the assignment's notebooks, by notebook name: two queries. */
  async gradedCells(
    assignmentId: number,
  ): Promise<
    { notebook: string; cell: string; maxScore: number; cellType: 'code' | 'markdown'; task: boolean }[]
  > {
    const of = (table: 'gradebook_grade_cell' | 'gradebook_task_cell') =>
      this.db
        .selectFrom(table)
        .innerJoin('gradebook_notebook', 'gradebook_notebook.id', `${table}.notebook_id`)
        .select([
          'gradebook_notebook.name as notebook',
          `${table}.name as cell`,
          `${table}.max_score`,
          `${table}.cell_type`,
        ])
        .where('gradebook_notebook.assignment_id', '=', assignmentId)
        .execute();
    const shape =
      (task: boolean) => (r: { notebook: string; cell: string; max_score: number; cell_type: string }) => ({
        notebook: r.notebook,
        cell: r.cell,
        maxScore: Number(r.max_score),
        cellType: r.cell_type === 'markdown' ? ('markdown' as const) : ('code' as const),
        task,
      });
    return [
      ...(await of('gradebook_grade_cell')).map(shape(false)),
      ...(await of('gradebook_task_cell')).map(shape(true)),
    ];
  }

  /** Each student's submitted notebook of that name in the assignment: student id -> its id. One query. */
  async submittedNotebookIds(assignmentId: number, notebookName: string): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .innerJoin(
        'gradebook_submission',
        'gradebook_submission.id',
        'gradebook_submitted_notebook.submission_id',
      )
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', 'gradebook_submitted_notebook.notebook_id')
      .select(['gradebook_student.student_id', 'gradebook_submitted_notebook.id'])
      .where('gradebook_submission.assignment_id', '=', assignmentId)
      .where('gradebook_notebook.name', '=', notebookName)
      .execute();
    return new Map(rows.map((r) => [r.student_id, r.id]));
  }

  /** The comments of one submitted notebook (answer and task cells), in no particular order. */
  async commentsOf(submittedNotebookId: number) {
    const rows = await this.db
      .selectFrom('gradebook_comment')
      .select(['name', 'cell_kind', 'auto_comment', 'manual_comment'])
      .where('submitted_notebook_id', '=', submittedNotebookId)
      .execute();
    return rows.map((c) => ({
      name: c.name,
      cellKind: c.cell_kind,
      autoComment: c.auto_comment,
      manualComment: c.manual_comment,
    }));
  }

  async isFlagged(submittedNotebookId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('gradebook_submitted_notebook')
      .select('flagged')
      .where('id', '=', submittedNotebookId)
      .executeTakeFirst();
    return Number(row?.flagged ?? 0) === 1;
  }

  /**
   * Every submitted notebook of that name in the assignment with what the grading page needs of
   * it (previous / next, needs grading, its flag, penalty and time stamp): one query, one row per
   * student, without summing anyone's grades.
   */
  async notebookQueue(assignmentId: number, notebookName: string) {
    const rows = await this.db
      .selectFrom('gradebook_submitted_notebook as snb')
      .innerJoin('gradebook_submission', 'gradebook_submission.id', 'snb.submission_id')
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_submission.student_pk')
      .innerJoin('gradebook_notebook', 'gradebook_notebook.id', 'snb.notebook_id')
      .leftJoin('gradebook_extension', (join) =>
        join
          .onRef('gradebook_extension.assignment_id', '=', 'gradebook_submission.assignment_id')
          .onRef('gradebook_extension.student_pk', '=', 'gradebook_submission.student_pk'),
      )
      .select((eb) => [
        'gradebook_student.student_id',
        'snb.id',
        'snb.notebook_id',
        'snb.flagged',
        'snb.late_submission_penalty',
        'gradebook_submission.timestamp',
        'gradebook_extension.seconds',
        eb
          .exists(
            eb
              .selectFrom('gradebook_grade')
              .select('gradebook_grade.id')
              .whereRef('gradebook_grade.submitted_notebook_id', '=', 'snb.id')
              .where('gradebook_grade.needs_manual_grade', '=', 1),
          )
          .as('needs'),
      ])
      .where('gradebook_submission.assignment_id', '=', assignmentId)
      .where('gradebook_notebook.name', '=', notebookName)
      .execute();
    return rows.map((r) => ({
      studentId: r.student_id,
      submittedNotebookId: r.id,
      notebookId: r.notebook_id,
      flagged: Number(r.flagged) === 1,
      latePenalty: r.late_submission_penalty === null ? null : Number(r.late_submission_penalty),
      timestamp: r.timestamp,
      extensionSeconds: Number(r.seconds ?? 0),
      needsManualGrade: Boolean(Number(r.needs)),
    }));
  }
}
