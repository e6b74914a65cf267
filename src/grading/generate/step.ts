/**
 * One step of generate, like one of nbgrader's preprocessors: it changes the notebook in place
 * (the pipeline hands it a private copy) and may record what the gradebook must keep.
 */
import type { Cell, Notebook } from '../../notebook/index.js';
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
  /** Set by ClearSolutions: the notebook's kernel language. */
  language?: string;
  /** Filled by SaveCells. */
  record?: GeneratedNotebookRecord;
}

export interface GenerateStep {
  /** nbgrader's preprocessor name, for logs and errors. */
  readonly name: string;
  run(notebook: Notebook, context: GenerateContext): void;
}

/** Builds a step that visits every cell (nbgrader's `preprocess_cell`). */
export function cellStep(
  name: string,
  visit: (cell: Cell, index: number, context: GenerateContext, notebook: Notebook) => void,
  after?: (notebook: Notebook, context: GenerateContext) => void,
): GenerateStep {
  return {
    name,
    run(notebook, context) {
      notebook.cells.forEach((cell, index) => visit(cell, index, context, notebook));
      after?.(notebook, context);
    },
  };
}

/** The grade id of a cell, for error messages. */
export function gradeIdOf(cell: Cell): string | undefined {
  const id = cell.metadata.nbgrader?.grade_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
