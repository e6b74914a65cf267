/**
 * The simple sanitizing steps of nbgrader's autograde: DeduplicateIds and OverwriteKernelspec.
 * ClearOutput and CheckCellMetadata are shared with the other pipelines (../steps/);
 * OverwriteCells has its own file.
 */
import {
  isGrade,
  isLocked,
  isSolution,
  SchemaTooOldError,
  validateNotebookMetadata,
  type Cell,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import type { Step } from '../pipeline/step.js';
import type { AutogradeContext } from './context.js';

/**
 * The copies DeduplicateIds emptied, with the id and every cell (0-based, in the notebook as
 * submitted) that had it; by cell object, as later steps may add cells before them.
 */
const emptiedCopies = new WeakMap<Cell, { id: string; cells: number[] }>();

/**
 * DeduplicateIds: when a grade id appears more than once, the LAST copy keeps it and every earlier
 * copy loses its nbgrader metadata (it becomes `{}`, which CheckCellMetadata then rejects as schema
 * version 0, exactly as in nbgrader). Which cells they were is remembered, so that the error can
 * say "cells 2 and 3 both have the grade id 'answer'" rather than "Outdated schema version: 0".
 */
export const deduplicateIds: Step<Pick<AutogradeContext, 'log'>> = {
  name: 'DeduplicateIds',
  run(notebook, { log }) {
    const seen = new Map<string, { id: string; cells: number[] }>();
    const cells = notebook.cells;
    for (let index = cells.length - 1; index >= 0; index--) {
      const cell = cells[index]!;
      if (!(isGrade(cell) || isSolution(cell) || isLocked(cell))) continue;
      const id = String(cell.metadata.nbgrader?.grade_id);
      const copies = seen.get(id);
      if (copies) {
        log.warn(`Cell with id '${id}' exists multiple times!`);
        cell.metadata.nbgrader = {};
        copies.cells.unshift(index);
        emptiedCopies.set(cell, copies);
      } else seen.set(id, { id, cells: [index] });
    }
  },
};

/** A grade id on more than one cell of a submission (a copied cell): nbgrader stops the run there. */
export class DuplicatedCellError extends CoursehubError {}

const listCells = (cells: number[]) => {
  const numbers = cells.map((index) => index + 1);
  return `${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;
};

/**
 * CheckCellMetadata for a submission: as the shared step, but the schema-version error nbgrader
 * raises for a copy DeduplicateIds emptied is said as what it is, naming the id and the cells.
 */
export const checkSubmittedMetadata: Step<unknown> = {
  name: 'CheckCellMetadata',
  run(notebook) {
    try {
      validateNotebookMetadata(notebook);
    } catch (error) {
      const at = error instanceof SchemaTooOldError ? error.cellIndex : undefined;
      const copies = at === undefined ? undefined : emptiedCopies.get(notebook.cells[at]!);
      if (!copies) throw error;
      const all = copies.cells.length === 2 ? 'both' : 'all';
      throw new DuplicatedCellError(
        `cells ${listCells(copies.cells)} of the submitted notebook ${all} have the grade id '${copies.id}' (a copied cell?).`,
        {
          hint:
            'Keep one cell with that id (the one holding the answer) and delete the copies, then autograde ' +
            'again. As in nbgrader, the run stops at this submission.',
          cause: error,
        },
      );
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
