/**
 * The one step type of every grading pipeline, like nbgrader's preprocessors: a step changes the
 * notebook in place and reads or records what it needs in the pipeline's context (nbgrader's
 * `resources`). Generate, validate, autograde and feedback are each an ordered list of steps, run
 * by `runSteps`. A step that needs a kernel (Execute, InstantiateTests) gets it from its context,
 * so no step is special to the runner.
 */
import type { Cell, Notebook } from '../../notebook/index.js';

export interface Step<Context> {
  /** nbgrader's preprocessor name, for logs and errors. */
  readonly name: string;
  /** Changes `notebook` in place. Pure steps simply return; steps that run code are async. */
  run(notebook: Notebook, context: Context): void | Promise<void>;
}

/** Runs the steps in order on `notebook`; the first error stops the run and is passed on as it is. */
export async function runSteps<Context>(
  notebook: Notebook,
  steps: readonly Step<Context>[],
  context: Context,
): Promise<void> {
  for (const step of steps) await step.run(notebook, context);
}

/** Builds a step that visits every cell (nbgrader's `preprocess_cell`), then optionally the notebook. */
export function cellStep<Context>(
  name: string,
  visit: (cell: Cell, index: number, context: Context, notebook: Notebook) => void,
  after?: (notebook: Notebook, context: Context) => void,
): Step<Context> {
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
