/**
 * Autograde of one notebook, as nbgrader's Autograde converter runs it: two ordered lists of steps.
 * The sanitize steps make the submission trustworthy (what the student may not change is put
 * back); the grade steps run it and read the scores. The course layer runs them over the files
 * with `runSteps` (sanitizing every notebook of a submission before the first one runs), and the
 * gradebook layer stores the grades; the late penalty is applied where the scores are stored.
 */
import type { Step } from '../pipeline/step.js';
import { checkCellMetadata } from '../steps/check-cell-metadata.js';
import { clearOutput } from '../steps/clear-output.js';
import { execute } from '../steps/execute.js';
import type { AutogradeContext } from './context.js';
import { ignorePattern, limitOutput } from './output-steps.js';
import { overwriteCells } from './overwrite-cells.js';
import { checkSubmittedMetadata, deduplicateIds, overwriteKernelspec } from './sanitize-steps.js';
import { saveAutoGrades } from './save-auto-grades.js';

export type { AutogradeContext, NotebookGrades } from './context.js';
export { DuplicatedCellError } from './sanitize-steps.js';
export { DEFAULT_AUTOGRADE_SETTINGS, type AutogradeSettings } from './settings.js';
export type { SourceNotebook } from './source-notebook.js';
export { PartialCreditTooHighError, determineGrade } from './determine-grade.js';
export { InconsistentChecksumError } from './overwrite-cells.js';

/**
 * ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata.
 * `clearOutputs: false` for --no-execute, which keeps (and scores) the stored outputs, as nbgrader
 * disables ClearOutput then.
 */
export function autogradeSanitizeSteps(options: { clearOutputs?: boolean } = {}): Step<AutogradeContext>[] {
  return [
    ...((options.clearOutputs ?? true) ? [clearOutput] : []),
    deduplicateIds,
    overwriteKernelspec,
    overwriteCells,
    checkSubmittedMetadata,
  ];
}

/**
 * Execute, IgnorePattern, LimitOutput, SaveAutoGrades, then CheckCellMetadata again
 * (nbgrader's ClearMetadataPreprocessor is disabled by default, and AssignLatePenalties is done
 * where the scores are stored). `execute: false` for --no-execute.
 */
export function autogradeGradeSteps(options: { execute?: boolean } = {}): Step<AutogradeContext>[] {
  return [
    ...((options.execute ?? true) ? [execute] : []),
    ignorePattern,
    limitOutput,
    saveAutoGrades,
    checkCellMetadata,
  ];
}
