import { cellStep } from '../pipeline/step.js';

/**
 * ClearOutput (nbconvert's ClearOutputPreprocessor): no outputs, no counts, no output view state.
 * The one copy, used by generate, source_with_tests, validate and autograde.
 */
export const clearOutput = cellStep<unknown>('ClearOutput', (cell) => {
  if (cell.cell_type !== 'code') return;
  cell.outputs = [];
  cell.execution_count = null;
  delete cell.metadata.collapsed;
  delete cell.metadata.scrolled;
});
