import { NbgraderMetadataError, validateNotebookMetadata, type Notebook } from '../../../notebook/index.js';
import { CellMetadataError } from '../errors.js';
import type { GenerateStep } from '../step.js';
import { gradeIdOf } from '../step.js';

/** CheckCellMetadata: nbgrader's MetadataValidator over the whole notebook. */
export const checkCellMetadata: GenerateStep = {
  name: 'CheckCellMetadata',
  run(notebook: Notebook) {
    try {
      validateNotebookMetadata(notebook);
    } catch (error) {
      if (!(error instanceof NbgraderMetadataError)) throw error;
      const cell = error.cellIndex === undefined ? undefined : notebook.cells[error.cellIndex];
      throw new CellMetadataError(
        error.detail,
        {
          ...(error.cellIndex === undefined ? {} : { cellIndex: error.cellIndex }),
          gradeId: cell && gradeIdOf(cell),
        },
        { ...(error.hint === undefined ? {} : { hint: error.hint }), cause: error },
      );
    }
  },
};
