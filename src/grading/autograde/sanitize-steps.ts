/**
 * The simple sanitizing steps of nbgrader's autograde: DeduplicateIds and OverwriteKernelspec.
 * ClearOutput and CheckCellMetadata are shared with the other pipelines (../steps/);
 * OverwriteCells has its own file.
 */
import { isGrade, isLocked, isSolution } from '../../notebook/index.js';
import type { Step } from '../pipeline/step.js';
import type { AutogradeContext } from './context.js';

/**
 * DeduplicateIds: when a grade id appears more than once, the LAST copy keeps it and every earlier
 * copy loses its nbgrader metadata (it becomes `{}`, which CheckCellMetadata then rejects as schema
 * version 0, exactly as in nbgrader).
 */
export const deduplicateIds: Step<Pick<AutogradeContext, 'log'>> = {
  name: 'DeduplicateIds',
  run(notebook, { log }) {
    const seen = new Set<string>();
    for (const cell of [...notebook.cells].reverse()) {
      if (!(isGrade(cell) || isSolution(cell) || isLocked(cell))) continue;
      const id = String(cell.metadata.nbgrader?.grade_id);
      if (seen.has(id)) {
        log.warn(`Cell with id '${id}' exists multiple times!`);
        cell.metadata.nbgrader = {};
      } else seen.add(id);
    }
  },
};

/** OverwriteKernelspec: the kernelspec stored at generate time wins over the submitted one. */
export const overwriteKernelspec: Step<Pick<AutogradeContext, 'source'>> = {
  name: 'OverwriteKernelspec',
  run(notebook, { source }) {
    if (source.kernelspec) notebook.metadata.kernelspec = structuredClone(source.kernelspec);
  },
};
