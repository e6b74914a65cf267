import { cellStep } from '../step.js';

/** ClearOutput (nbconvert's ClearOutputPreprocessor): no outputs, no counts, no output view state. */
export const clearOutput = cellStep('ClearOutput', (cell) => {
  if (cell.cell_type !== 'code') return;
  cell.outputs = [];
  cell.execution_count = null;
  delete cell.metadata.collapsed;
  delete cell.metadata.scrolled;
});
