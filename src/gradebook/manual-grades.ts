/**
 * What a grader changes by hand (the formgrader's part of nbgrader's gradebook): manual scores,
 * extra credit, comments and the "flagged" mark of a submitted notebook. A manual score takes
 * precedence over the automatic one in every total (see src/grading/scores/).
 */
import type { GradeRow } from '../db/stores/gradebook-submissions.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import { findStudentPk, requireAssignment } from './courses.js';
import { GradebookInvalidEntryError, GradebookMissingEntryError } from './errors.js';

export interface CellRef {
  assignment: string;
  studentId: string;
  notebook: string;
  /** The grade id of the cell. */
  cell: string;
}

async function submittedNotebookId(store: GradebookStore, courseId: number, ref: CellRef): Promise<number> {
  const assignment = await requireAssignment(store, courseId, ref.assignment);
  const studentPk = await findStudentPk(store, courseId, ref.studentId);
  const id =
    studentPk === undefined
      ? undefined
      : await store.submissions.findSubmittedNotebookId(assignment.id, studentPk, ref.notebook);
  if (id === undefined) {
    throw new GradebookMissingEntryError(
      `No submission of notebook '${ref.notebook}' of '${ref.assignment}' by '${ref.studentId}'.`,
      { hint: 'Autograde the submission first; grades exist only for autograded submissions.' },
    );
  }
  return id;
}

async function gradeRow(store: GradebookStore, courseId: number, ref: CellRef): Promise<GradeRow> {
  const notebookId = await submittedNotebookId(store, courseId, ref);
  const grade = await store.submissions.findGrade(notebookId, ref.cell);
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
export async function setManualScore(
  store: GradebookStore,
  courseId: number,
  ref: CellRef,
  score: number | null,
) {
  checkScore(score, 'manual score');
  const grade = await gradeRow(store, courseId, ref);
  await store.submissions.updateGrade(grade.id, {
    manualScore: score,
    needsManualGrade: score === null && grade.autoScore === null,
  });
}

export async function setExtraCredit(
  store: GradebookStore,
  courseId: number,
  ref: CellRef,
  points: number | null,
) {
  checkScore(points, 'extra credit');
  const grade = await gradeRow(store, courseId, ref);
  await store.submissions.updateGrade(grade.id, { extraCredit: points });
}

export async function setManualComment(
  store: GradebookStore,
  courseId: number,
  ref: CellRef,
  comment: string | null,
) {
  const notebookId = await submittedNotebookId(store, courseId, ref);
  const updated = await store.submissions.updateComment(notebookId, ref.cell, { manualComment: comment });
  if (!updated) {
    throw new GradebookMissingEntryError(`Cell '${ref.cell}' of '${ref.notebook}' takes no comments.`, {
      hint: 'Comments belong to answer (solution) cells and task cells.',
    });
  }
}

export async function setFlagged(
  store: GradebookStore,
  courseId: number,
  ref: Omit<CellRef, 'cell'>,
  flagged: boolean,
): Promise<void> {
  const notebookId = await submittedNotebookId(store, courseId, { ...ref, cell: '' });
  await store.submissions.setFlagged(notebookId, flagged);
}
