import { validateNotebookMetadata } from '../../notebook/index.js';
import type { Step } from '../pipeline/step.js';

/**
 * CheckCellMetadata: nbgrader's MetadataValidator over the whole notebook. It throws the notebook
 * layer's NbgraderMetadataError (or a schema-version error); each pipeline says it in its own
 * words (generate: CellMetadataError naming notebook and cell; validate: ValidateError; autograde
 * fails the submission, and a schema-version error stops the run).
 */
export const checkCellMetadata: Step<unknown> = {
  name: 'CheckCellMetadata',
  run(notebook) {
    validateNotebookMetadata(notebook);
  },
};
