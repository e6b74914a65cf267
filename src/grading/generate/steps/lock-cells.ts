import { isGrade, isLocked, isSolution } from '../../../notebook/index.js';
import { cellStep } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';

/** LockCells: answers become undeletable; tests and read-only cells undeletable and uneditable. */
export const lockCells = cellStep<GenerateContext>('LockCells', (cell, _index, { settings }) => {
  const lock = settings.lockCells;
  const solution = isSolution(cell);
  const grade = isGrade(cell);
  if ((lock.lockSolutionCells || lock.lockGradeCells) && solution && grade) cell.metadata.deletable = false;
  else if (lock.lockSolutionCells && solution) cell.metadata.deletable = false;
  else if (
    (lock.lockGradeCells && grade) ||
    (lock.lockReadonlyCells && isLocked(cell)) ||
    lock.lockAllCells
  ) {
    cell.metadata.deletable = false;
    cell.metadata.editable = false;
  }
});
