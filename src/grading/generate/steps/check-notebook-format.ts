import { InvalidNotebookError } from '../errors.js';
import type { Step } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';

const ALLOWED_KEYS: Record<string, string[]> = {
  code: ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'],
  markdown: ['id', 'cell_type', 'metadata', 'source', 'attachments'],
  raw: ['id', 'cell_type', 'metadata', 'source', 'attachments'],
};

/**
 * The nbformat 4 cell rules nbconvert enforces after each preprocessor: nbgrader refuses a code
 * cell without `outputs` or `execution_count`, or a cell with fields its type does not have.
 */
export const checkNotebookFormat: Step<GenerateContext> = {
  name: 'ValidateNotebook',
  run(notebook) {
    notebook.cells.forEach((cell, cellIndex) => {
      const keys = Object.keys(cell);
      const extra = keys.filter((key) => !ALLOWED_KEYS[cell.cell_type]!.includes(key));
      if (extra.length > 0)
        throw new InvalidNotebookError(
          `a ${cell.cell_type} cell may not have ${extra.map((k) => `"${k}"`).join(', ')}; the notebook is not valid nbformat 4`,
          { cellIndex },
          { hint: 'Open the notebook in Jupyter and save it again, or remove the field.' },
        );
      if (cell.cell_type === 'code' && (!('outputs' in cell) || !('execution_count' in cell)))
        throw new InvalidNotebookError(
          'a code cell needs "outputs" and "execution_count" fields; the notebook is not valid nbformat 4',
          { cellIndex },
          { hint: 'Open the notebook in Jupyter and save it again (it adds the missing fields).' },
        );
    });
  },
};
