/**
 * Saving what a grader changes by hand, one field at a time (the formgrader saves as you go), with
 * no edit lost when two graders work on the same field: every save names the version of the field
 * it was edited from; the later save wins, and when the field changed in between, the answer says
 * so and carries the value it replaced (who saved it, when). Every saved value stays in the edit
 * log (grading_edits), so nothing is lost even then.
 */
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { FieldEditRow } from '../../db/stores/grading.js';
import {
  setExtraCredit,
  setFlagged,
  setManualComment,
  setManualScore,
  type CellRef,
} from '../../gradebook/manual-grades.js';
import { requireAssignment, findStudentPk } from '../../gradebook/courses.js';
import { GradebookMissingEntryError } from '../../gradebook/errors.js';
import { GradingValueError } from './grading-errors.js';

export const GRADING_FIELDS = ['manual_score', 'extra_credit', 'comment', 'flag'] as const;
export type GradingField = (typeof GRADING_FIELDS)[number];

export type FieldValue = number | string | boolean | null;

/** A field as the page shows it: its value and the version it has (0: never saved by hand). */
export interface FieldState {
  cell: string;
  field: GradingField;
  version: number;
  editedBy: string | null;
  editedAt: string | null;
}

export interface GradingChange {
  /** The grade id ('' for the notebook's flag). */
  cell: string;
  field: GradingField;
  value: FieldValue;
  /** The version the grader edited from. */
  baseVersion: number;
}

export interface SaveResult {
  cell: string;
  field: GradingField;
  value: FieldValue;
  version: number;
  savedBy: string;
  savedAt: string;
  /** Someone saved this field after the grader's version: what they saved (now replaced). */
  conflict: { value: FieldValue; version: number; editedBy: string; editedAt: string } | null;
}

const MAX_COMMENT = 65_536;

function checkValue(change: GradingChange, maxScore: number | undefined): FieldValue {
  const { field, value } = change;
  if (field === 'flag') {
    if (typeof value !== 'boolean') throw new GradingValueError('"value" of the flag must be true or false.');
    return value;
  }
  if (field === 'comment') {
    if (value !== null && typeof value !== 'string')
      throw new GradingValueError('"value" of a comment must be a text or null.');
    if (typeof value === 'string' && value.length > MAX_COMMENT)
      throw new GradingValueError(`A comment has at most ${MAX_COMMENT} characters.`);
    return value === '' ? null : value;
  }
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
    throw new GradingValueError(
      `"value" of ${field.replace('_', ' ')} must be a number of at least 0, or null.`,
    );
  if (field === 'manual_score' && value !== null && maxScore !== undefined && value > maxScore)
    throw new GradingValueError(`The manual score of ${change.cell} is at most ${maxScore} (its points).`, {
      hint: 'Give extra credit for points beyond the cell’s own.',
    });
  return value;
}

const isUniqueViolation = (error: unknown) => {
  const text = `${(error as { code?: unknown })?.code ?? ''} ${(error as Error)?.message ?? ''}`;
  return /SQLITE_CONSTRAINT|23505|unique/i.test(text);
};

/** The newest edit of each field of a submitted notebook. */
export async function fieldStates(
  stores: CourseStores,
  submittedNotebookIds: number[],
): Promise<FieldEditRow[]> {
  return stores.grading.latestEdits(submittedNotebookIds);
}

/**
 * Saves one field of one graded cell (or the flag) of a student's submitted notebook, in one
 * transaction with its edit log row; retried when another save took the same version meanwhile.
 */
export async function saveField(
  stores: CourseStores,
  gradebookCourseId: number,
  ref: Omit<CellRef, 'cell'>,
  change: GradingChange,
  by: string,
): Promise<SaveResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await stores.transaction(async (tx) => {
        const store = tx.gradebook;
        const assignment = await requireAssignment(store, gradebookCourseId, ref.assignment);
        const studentPk = await findStudentPk(store, gradebookCourseId, ref.studentId);
        const notebookId =
          studentPk === undefined
            ? undefined
            : await store.submissions.findSubmittedNotebookId(assignment.id, studentPk, ref.notebook);
        if (notebookId === undefined)
          throw new GradebookMissingEntryError(`No autograded submission of ${ref.notebook}.`, {
            hint: 'Autograde the assignment first.',
          });
        const maxScore =
          change.field === 'flag' ? undefined : await tx.grading.cellMaxScore(notebookId, change.cell);
        if (change.field !== 'flag' && change.field !== 'comment' && maxScore === undefined)
          throw new GradebookMissingEntryError(`${ref.notebook} has no graded cell ${change.cell}.`);
        const value = checkValue(change, maxScore);
        const cellRef = { ...ref, cell: change.cell };
        if (change.field === 'manual_score')
          await setManualScore(store, gradebookCourseId, cellRef, value as number | null);
        else if (change.field === 'extra_credit')
          await setExtraCredit(store, gradebookCourseId, cellRef, value as number | null);
        else if (change.field === 'comment')
          await setManualComment(store, gradebookCourseId, cellRef, value as string | null);
        else await setFlagged(store, gradebookCourseId, ref, value as boolean);

        const [latest] = (await tx.grading.latestEdits([notebookId])).filter(
          (e) => e.cell === change.cell && e.field === change.field,
        );
        const current = latest?.version ?? 0;
        const saved = await tx.grading.appendEdit({
          submittedNotebookId: notebookId,
          cell: change.cell,
          field: change.field,
          version: current + 1,
          value: JSON.stringify(value),
          editedBy: by,
        });
        return {
          cell: change.cell,
          field: change.field,
          value,
          version: saved.version,
          savedBy: by,
          savedAt: saved.editedAt,
          conflict:
            latest && latest.version !== change.baseVersion
              ? {
                  value: JSON.parse(latest.value) as FieldValue,
                  version: latest.version,
                  editedBy: latest.editedBy,
                  editedAt: latest.editedAt,
                }
              : null,
        };
      });
    } catch (error) {
      if (attempt < 5 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
