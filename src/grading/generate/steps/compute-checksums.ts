import { computeChecksum, needsChecksum } from '../../../notebook/index.js';
import { cellStep } from '../step.js';

/** ComputeChecksums: graded, answer and read-only cells get a checksum and their cell type. */
export const computeChecksums = cellStep('ComputeChecksums', (cell) => {
  if (!needsChecksum(cell)) return;
  const meta = cell.metadata.nbgrader!;
  meta.checksum = computeChecksum(cell);
  meta.cell_type = cell.cell_type;
});
