/**
 * Autograde of one notebook, as nbgrader's Autograde converter runs it: two ordered lists of small
 * steps. `sanitize` makes the submission trustworthy (what the student may not change is put
 * back); `grade` runs it and reads the scores. The caller (gradebook/) handles files, kernels and
 * the database, so that this stays pure apart from the injected `execute`.
 */
import { cloneJson, type Notebook } from '../../notebook/index.js';
import { collectingLog } from './log.js';
import { ignorePattern, limitOutput } from './output-steps.js';
import { overwriteCells } from './overwrite-cells.js';
import { checkCellMetadata, clearOutput, deduplicateIds, overwriteKernelspec } from './sanitize-steps.js';
import { collectAutoGrades, type NotebookGrades } from './save-auto-grades.js';
import type { AutogradeSettings } from './settings.js';
import type { SourceNotebook } from './source-notebook.js';

export { DEFAULT_AUTOGRADE_SETTINGS, type AutogradeSettings } from './settings.js';
export type { SourceNotebook } from './source-notebook.js';
export type { NotebookGrades } from './save-auto-grades.js';
export { PartialCreditTooHighError, determineGrade } from './determine-grade.js';
export { InconsistentChecksumError } from './overwrite-cells.js';

export interface StepResult {
  notebook: Notebook;
  warnings: string[];
}

/** ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata. */
export function sanitizeSubmission(
  submitted: Notebook,
  source: SourceNotebook,
  settings: AutogradeSettings,
  options: { clearOutputs?: boolean } = {},
): StepResult {
  const notebook = cloneJson(submitted); // keeps the int/float spelling of points
  const log = collectingLog();
  // --no-execute keeps the stored outputs (and scores them), as nbgrader disables ClearOutput.
  if (options.clearOutputs ?? true) clearOutput(notebook);
  deduplicateIds(notebook, log);
  overwriteKernelspec(notebook, source.kernelspec);
  overwriteCells(notebook, source, settings, log);
  checkCellMetadata(notebook);
  return { notebook, warnings: log.messages };
}

export interface GradeOptions {
  /** Runs the notebook in place (Execute); omitted for --no-execute. */
  execute?: (notebook: Notebook) => Promise<void>;
}

/**
 * Execute, IgnorePattern, LimitOutput, SaveAutoGrades (scores read off the notebook), then
 * CheckCellMetadata again. The late penalty is applied where the scores are stored.
 */
export async function gradeSanitized(
  sanitized: Notebook,
  settings: AutogradeSettings,
  options: GradeOptions,
): Promise<{ notebook: Notebook; grades: NotebookGrades }> {
  const notebook = sanitized;
  if (options.execute) await options.execute(notebook);
  ignorePattern(notebook, settings);
  limitOutput(notebook, settings);
  const grades = collectAutoGrades(notebook);
  checkCellMetadata(notebook);
  return { notebook, grades };
}
