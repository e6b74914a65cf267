/**
 * What a grader changes by hand (the formgrader's part of nbgrader's gradebook): manual scores,
 * extra credit, comments and the "flagged" mark of a submitted notebook. A manual score takes
 * precedence over the automatic one in every total (see scores.ts).
 */
import { requireAssignment, findStudentPk, type GradebookDb } from './courses.js';
import { GradebookInvalidEntryError, GradebookMissingEntryError } from './errors.js';

export interface CellRef {
  assignment: string;
  studentId: string;
  notebook: string;
  /** The grade id of the cell. */
  cell: string;
}

async function submittedNotebookId(db: GradebookDb, courseId: number, ref: CellRef): Promise<number> {
  const assignment = await requireAssignment(db, courseId, ref.assignment);
  const studentPk = await findStudentPk(db, courseId, ref.studentId);
  const row =
    studentPk === undefined
      ? undefined
      : await db
          .selectFrom('gradebook_submitted_notebook')
          .innerJoin(
            'gradebook_submission',
            'gradebook_submission.id',
            'gradebook_submitted_notebook.submission_id',
          )
          .innerJoin(
            'gradebook_notebook',
            'gradebook_notebook.id',
            'gradebook_submitted_notebook.notebook_id',
          )
          .select('gradebook_submitted_notebook.id')
          .where('gradebook_submission.assignment_id', '=', assignment.id)
          .where('gradebook_submission.student_pk', '=', studentPk)
          .where('gradebook_notebook.name', '=', ref.notebook)
          .executeTakeFirst();
  if (!row) {
    throw new GradebookMissingEntryError(
      `No submission of notebook '${ref.notebook}' of '${ref.assignment}' by '${ref.studentId}'.`,
      { hint: 'Autograde the submission first; grades exist only for autograded submissions.' },
    );
  }
  return row.id;
}

async function gradeRow(db: GradebookDb, courseId: number, ref: CellRef) {
  const notebookId = await submittedNotebookId(db, courseId, ref);
  const grade = await db
    .selectFrom('gradebook_grade')
    .selectAll()
    .where('submitted_notebook_id', '=', notebookId)
    .where('name', '=', ref.cell)
    .executeTakeFirst();
  if (!grade) {
    throw new GradebookMissingEntryError(`Cell '${ref.cell}' of '${ref.notebook}' is not graded.`, {
      hint: 'Use the grade id of a grade or task cell.',
    });
  }
  return grade;
}

const checkScore = (value: number | null, what: string) => {
  if (value !== null && (!Number.isFinite(value) || value < 0)) {
    throw new GradebookInvalidEntryError(`The ${what} must be a number of at least 0 (got ${value}).`);
  }
};

/** Sets (or, with null, clears) the manual score; a grade with a manual score needs no more grading. */
export async function setManualScore(db: GradebookDb, courseId: number, ref: CellRef, score: number | null) {
  checkScore(score, 'manual score');
  const grade = await gradeRow(db, courseId, ref);
  await db
    .updateTable('gradebook_grade')
    .set({ manual_score: score, needs_manual_grade: score === null && grade.auto_score === null ? 1 : 0 })
    .where('id', '=', grade.id)
    .execute();
}

export async function setExtraCredit(db: GradebookDb, courseId: number, ref: CellRef, points: number | null) {
  checkScore(points, 'extra credit');
  const grade = await gradeRow(db, courseId, ref);
  await db.updateTable('gradebook_grade').set({ extra_credit: points }).where('id', '=', grade.id).execute();
}

export async function setManualComment(
  db: GradebookDb,
  courseId: number,
  ref: CellRef,
  comment: string | null,
) {
  const notebookId = await submittedNotebookId(db, courseId, ref);
  const updated = await db
    .updateTable('gradebook_comment')
    .set({ manual_comment: comment })
    .where('submitted_notebook_id', '=', notebookId)
    .where('name', '=', ref.cell)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) {
    throw new GradebookMissingEntryError(`Cell '${ref.cell}' of '${ref.notebook}' takes no comments.`, {
      hint: 'Comments belong to answer (solution) cells and task cells.',
    });
  }
}

export async function setFlagged(
  db: GradebookDb,
  courseId: number,
  ref: Omit<CellRef, 'cell'>,
  flagged: boolean,
): Promise<void> {
  const notebookId = await submittedNotebookId(db, courseId, { ...ref, cell: '' });
  await db
    .updateTable('gradebook_submitted_notebook')
    .set({ flagged: flagged ? 1 : 0 })
    .where('id', '=', notebookId)
    .execute();
}
