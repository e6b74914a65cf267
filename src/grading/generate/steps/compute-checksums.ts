import { computeChecksum, needsChecksum } from '../../../notebook/index.js';
import { cellStep } from '../../pipeline/step.js';

/** ComputeChecksums: graded, answer and read-only cells get a checksum and their cell type. */
export const computeChecksums = cellStep<unknown>('ComputeChecksums', (cell) => {
  if (!needsChecksum(cell)) return;
  const meta = cell.metadata.nbgrader!;
  meta.checksum = computeChecksum(cell);
  meta.cell_type = cell.cell_type;
});
