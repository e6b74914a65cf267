/**
 * The simple sanitizing steps of nbgrader's autograde, one function each: ClearOutput,
 * DeduplicateIds, OverwriteKernelspec and CheckCellMetadata. OverwriteCells has its own file.
 */
import {
  isGrade,
  isLocked,
  isSolution,
  validateNotebookMetadata,
  type KernelspecMetadata,
  type Notebook,
} from '../../notebook/index.js';
import type { StepLog } from './log.js';

/** nbconvert's ClearOutputPreprocessor: no outputs, no execution count, no collapsed/scrolled. */
export function clearOutput(notebook: Notebook): void {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.collapsed;
    delete cell.metadata.scrolled;
  }
}

/**
 * DeduplicateIds: when a grade id appears more than once, the LAST copy keeps it and every earlier
 * copy loses its nbgrader metadata (it becomes `{}`, which CheckCellMetadata then rejects as schema
 * version 0, exactly as in nbgrader).
 */
export function deduplicateIds(notebook: Notebook, log: StepLog): void {
  const seen = new Set<string>();
  for (const cell of [...notebook.cells].reverse()) {
    if (!(isGrade(cell) || isSolution(cell) || isLocked(cell))) continue;
    const id = String(cell.metadata.nbgrader?.grade_id);
    if (seen.has(id)) {
      log.warn(`Cell with id '${id}' exists multiple times!`);
      cell.metadata.nbgrader = {};
    } else seen.add(id);
  }
}

/** OverwriteKernelspec: the kernelspec stored at generate time wins over the submitted one. */
export function overwriteKernelspec(notebook: Notebook, stored: KernelspecMetadata | null): void {
  if (stored) notebook.metadata.kernelspec = structuredClone(stored);
}

/** CheckCellMetadata: nbgrader's validate_nb; throws the notebook layer's metadata errors. */
export function checkCellMetadata(notebook: Notebook): void {
  validateNotebookMetadata(notebook);
}
