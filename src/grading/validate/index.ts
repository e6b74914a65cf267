/** validate: what a student runs before submitting, nbgrader-compatible (the file side is in src/course). */
export { validateNotebook, validateSteps, ValidateError } from './validate-notebook.js';
export type { ValidateContext, NotebookValidation } from './validate-notebook.js';
export { validationResults, typeChangedCells } from './results.js';
export type { ValidateOptions, ValidationResults, FailedCell, TypeChangedCell } from './results.js';
export { formatValidationReport, validationPassed } from './report.js';
