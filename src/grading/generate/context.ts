/**
 * What the generate steps share for one notebook (nbgrader's `resources`): the settings, the
 * header and footer, AUTOTEST's inputs, and what the steps record on the way.
 */
import type { Notebook } from '../../notebook/index.js';
import type { NotebookKernels } from '../execution.js';
import type { NbgraderSettings } from '../nbgrader-config.js';
import type { GeneratedNotebookRecord } from './types.js';

export interface GenerateContext {
  /** Notebook id: the file name without `.ipynb`. */
  notebookId: string;
  /** How to name the notebook in errors (its path relative to the course). */
  notebookLabel: string;
  settings: NbgraderSettings;
  /** Parsed header / footer notebooks (IncludeHeaderFooter), loaded by the caller. */
  header?: Notebook;
  footer?: Notebook;
  /** Whether an autotests.yml exists (assignment folder or course root), for InstantiateTests. */
  autotestsYamlFound?: boolean;
  /** Its text (the assignment folder's first, else the course root's), for expanding AUTOTEST. */
  autotestsYaml?: string;
  /**
   * Kernels for expanding AUTOTEST directives (InstantiateTests), running in a private copy of the
   * assignment's files. Without them a notebook with AUTOTEST directives is refused.
   */
  kernels?: NotebookKernels;
  /** Set by ClearSolutions: the notebook's kernel language. */
  language?: string;
  /** Filled by SaveCells. */
  record?: GeneratedNotebookRecord;
}
