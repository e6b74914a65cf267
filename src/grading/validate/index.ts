/** validate: what a student runs before submitting, nbgrader-compatible. */
export { validateNotebookFile, ValidateError } from './validate-notebook.js';
export type { ValidateNotebookOptions, NotebookValidation } from './validate-notebook.js';
export { validationResults, typeChangedCells } from './results.js';
export type { ValidateOptions, ValidationResults, FailedCell, TypeChangedCell } from './results.js';
export { formatValidationReport, validationPassed } from './report.js';
