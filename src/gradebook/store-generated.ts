/**
 * Storing what generate_assignment produced (src/grading/generate/types.ts) in the gradebook, as
 * nbgrader's SaveCells does at generate time. Autograde needs it: it restores locked cells and
 * hidden tests from here, and scores against these points.
 */
import type { GeneratedAssignmentRecord, GeneratedNotebookRecord } from '../grading/generate/types.js';
import type { KernelspecMetadata } from '../notebook/index.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import { updateOrCreateAssignment } from './courses.js';
import { storeSourceNotebooks, type SourceNotebookRecord } from './source-notebooks.js';
import { GradebookInvalidEntryError } from './errors.js';

const cellType = (value: string, where: string): 'code' | 'markdown' => {
  if (value === 'code' || value === 'markdown') return value;
  // nbgrader's gradebook only knows code and markdown cells (InvalidEntry for raw ones).
  throw new GradebookInvalidEntryError(`${where}: a ${value} cell cannot be stored in the gradebook.`, {
    hint: 'Only code and markdown cells can be graded, answered or read-only.',
  });
};

/** Points as the gradebook stores them; NaN or Infinity (possible with --no-metadata) are refused. */
const points = (value: number, where: string, cell: string): number => {
  if (Number.isFinite(value) && value >= 0) return value;
  throw new GradebookInvalidEntryError(`${where}, cell '${cell}': ${value} points cannot be stored.`, {
    hint: "Points are a finite number of at least 0: fix the cell's nbgrader metadata.",
  });
};

/**
 * Converts one generated notebook. `order` lists grade ids in notebook order; records read back
 * from JSON lose it (object keys), and re-adding deleted cells needs it.
 */
export function sourceNotebookFromGenerated(
  record: GeneratedNotebookRecord,
  order?: string[],
): SourceNotebookRecord {
  const rank = (name: string) => {
    const index = order?.indexOf(name) ?? -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  const byOrder = <T extends { name: string }>(items: T[]) =>
    [...items].sort((a, b) => rank(a.name) - rank(b.name));
  const where = `notebook ${record.name}`;
  const kernelspec =
    record.kernelspec && Object.keys(record.kernelspec).length > 0
      ? (record.kernelspec as unknown as KernelspecMetadata)
      : null;
  return {
    name: record.name,
    kernelspec,
    gradeCells: byOrder(
      Object.entries(record.grade_cells).map(([name, c]) => ({
        name,
        maxScore: points(c.max_score, where, name),
        cellType: cellType(c.cell_type, where),
      })),
    ),
    solutionCells: byOrder(record.solution_cells.map((name) => ({ name }))).map((c) => c.name),
    taskCells: byOrder(
      Object.entries(record.task_cells).map(([name, c]) => ({
        name,
        maxScore: points(c.max_score, where, name),
        cellType: cellType(c.cell_type, where),
      })),
    ),
    sourceCells: byOrder(
      Object.entries(record.source_cells).map(([name, c]) => ({
        name,
        cellType: cellType(c.cell_type, where),
        locked: c.locked,
        source: c.source,
        checksum: c.checksum,
      })),
    ),
  };
}

/** Stores a generated assignment (creating the assignment if needed), replacing earlier cells. */
export async function storeGeneratedAssignment(
  store: GradebookStore,
  courseId: number,
  record: GeneratedAssignmentRecord,
  orders: Record<string, string[]> = {},
): Promise<void> {
  await updateOrCreateAssignment(store, courseId, record.assignment);
  const notebooks = Object.values(record.notebooks).map((nb) =>
    sourceNotebookFromGenerated(nb, orders[nb.name]),
  );
  await storeSourceNotebooks(store, courseId, record.assignment, notebooks);
}
