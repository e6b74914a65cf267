/**
 * What generate stores about each source notebook (nbgrader's SaveCells): the kernelspec, the grade,
 * solution and task cells with their points, and every nbgrader cell's source and checksum, which
 * autograde uses to restore locked cells and hidden tests. Stored by src/db/stores/gradebook-notebooks.ts.
 */
import type { GradebookStore } from '../db/stores/gradebook.js';
import type { SourceNotebookRecord } from '../db/stores/gradebook-notebooks.js';
import { requireAssignment } from './courses.js';
import { GradebookMissingEntryError } from './errors.js';

export type {
  ScoredCellRecord,
  SourceCellRecord,
  SourceNotebookRecord,
} from '../db/stores/gradebook-notebooks.js';

/**
 * Stores (or replaces) the notebooks of an assignment as generate produced them. Notebooks no
 * longer in `notebooks` are removed, with their grades, as nbgrader's generate does with --force.
 * Cells are replaced wholesale; grades of submissions refer to cells by name, so they survive.
 * One transaction: a generate stopped half-way leaves the old cells, not half of the new ones.
 */
export async function storeSourceNotebooks(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
  notebooks: SourceNotebookRecord[],
): Promise<void> {
  await store.withTransaction(async (tx) => {
    const assignment = await requireAssignment(tx, courseId, assignmentName);
    await tx.notebooks.replaceAll(assignment.id, notebooks);
  });
}

/** Every notebook of an assignment as generate stored it, by name order. */
export async function loadSourceNotebooks(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
): Promise<SourceNotebookRecord[]> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  return store.notebooks.loadAll(assignment.id);
}

export function requireSourceNotebook(
  notebooks: SourceNotebookRecord[],
  name: string,
  assignmentName: string,
): SourceNotebookRecord {
  const found = notebooks.find((n) => n.name === name);
  if (!found) {
    throw new GradebookMissingEntryError(
      `Notebook '${name}' of assignment '${assignmentName}' is not in the gradebook.`,
      { hint: `Run \`coursehub nbgrader generate_assignment ${assignmentName} --force\` first.` },
    );
  }
  return found;
}
