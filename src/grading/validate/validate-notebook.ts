/**
 * nbgrader's Validator for one notebook, as a list of steps: refuse changed cell types (before
 * anything runs), then CheckCellMetadata, ClearOutput and Execute, then report failing tests and
 * changed read-only cells. Pure: the course layer reads the file and hands in kernels that run in
 * a scratch copy of the notebook's folder, so the student's code never runs with the caller's rights.
 */
import {
  NbgraderMetadataError,
  SchemaTooNewError,
  SchemaTooOldError,
  type Notebook,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { runSteps, type Step } from '../pipeline/step.js';
import { checkCellMetadata } from '../steps/check-cell-metadata.js';
import { clearOutput } from '../steps/clear-output.js';
import { execute, type ExecuteContext } from '../steps/execute.js';
import { formatValidationReport, validationPassed } from './report.js';
import {
  typeChangedCells,
  validationResults,
  type ValidateOptions,
  type ValidationResults,
} from './results.js';

export class ValidateError extends CoursehubError {}

export interface ValidateContext extends ExecuteContext {
  /** The notebook as the student named it (its path), for messages. */
  notebookLabel: string;
}

export interface NotebookValidation {
  results: ValidationResults;
  /** nbgrader's printed report. */
  report: string;
  passed: boolean;
}

/** CheckCellMetadata, ClearOutput, Execute. */
export function validateSteps(): Step<ValidateContext>[] {
  return [checkCellMetadata, clearOutput, execute];
}

/** A metadata problem in the student's words: what to ask for, or what to run. */
function validateError(error: unknown, path: string): unknown {
  if (error instanceof SchemaTooOldError)
    return new ValidateError(`The notebook '${path}' uses an old version of the nbgrader metadata format.`, {
      hint: `Back up this notebook, then update its metadata (nbgrader update ${path}).`,
      cause: error,
    });
  if (error instanceof SchemaTooNewError)
    return new ValidateError(`The notebook '${path}' uses a newer version of the nbgrader metadata format.`, {
      hint: 'Update coursehub to a version that reads it.',
      cause: error,
    });
  if (error instanceof NbgraderMetadataError)
    return new ValidateError(`${path}: ${error.message}`, {
      hint: 'Ask your instructor for a fresh copy of the notebook.',
      cause: error,
    });
  return error;
}

/** Validates `notebook` in place (it is cleared and run). */
export async function validateNotebook(
  notebook: Notebook,
  context: ValidateContext,
  options: ValidateOptions = {},
): Promise<NotebookValidation> {
  const done = (results: ValidationResults): NotebookValidation => ({
    results,
    report: formatValidationReport(results, options),
    passed: validationPassed(results, options),
  });
  const typeChanged = typeChangedCells(notebook);
  if (typeChanged.length > 0) return done({ typeChanged });
  try {
    await runSteps(notebook, validateSteps(), context);
  } catch (error) {
    throw validateError(error, context.notebookLabel);
  }
  return done(validationResults(notebook, options));
}
