/**
 * What the autograde steps share for one notebook (nbgrader's `resources`): the gradebook's copy
 * of the source notebook, the settings, the log, the kernels for Execute, and the grades that
 * SaveAutoGrades reads off the executed notebook.
 */
import type { StepLog } from '../pipeline/step-log.js';
import type { ExecuteContext } from '../steps/execute.js';
import type { AutogradeSettings } from './settings.js';
import type { SourceNotebook } from './source-notebook.js';

/** The automatic scores and comments of one notebook, as SaveAutoGrades reads them. */
export interface NotebookGrades {
  grades: Array<{ name: string; autoScore: number | null }>;
  comments: Array<{ name: string; autoComment: string | null }>;
}

export interface AutogradeContext extends ExecuteContext {
  source: SourceNotebook;
  settings: AutogradeSettings;
  log: StepLog;
  /** Set by SaveAutoGrades. */
  grades?: NotebookGrades;
}
