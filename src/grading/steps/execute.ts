import { CoursehubError } from '../../util/errors.js';
import type { NotebookKernels } from '../execution.js';
import {
  executeNotebook,
  notebookKernelOptions,
  type ExecuteNotebookReport,
  type ExecutionMode,
} from '../execute-notebook.js';
import type { Step } from '../pipeline/step.js';

/** What Execute needs from a pipeline's context, and what it leaves there. */
export interface ExecuteContext {
  /** Where the kernel comes from (the course layer: which folder, which sandbox). */
  kernels?: NotebookKernels;
  /** 'autograde' or 'validate': NBGRADER_EXECUTION for the kernel. */
  executionMode: ExecutionMode;
  /** Per-cell timeout in seconds (nbgrader's Execute.timeout). */
  cellTimeoutSeconds: number;
  startupTimeoutMs?: number;
  /** Set by Execute: how the run went (isolation, dead kernel, timeouts). */
  executed?: ExecuteNotebookReport;
}

/** Execute: every code cell runs in one fresh kernel of the notebook's kernelspec (see execute-notebook.ts). */
export const execute: Step<ExecuteContext> = {
  name: 'Execute',
  async run(notebook, context) {
    if (!context.kernels)
      throw new CoursehubError('Execute was given no kernels to run the notebook in.', {
        hint: 'Leave Execute out of the step list when nothing may run (--no-execute).',
      });
    const session = context.kernels.start(
      notebookKernelOptions(notebook, context.executionMode, context.startupTimeoutMs),
    );
    context.executed = await executeNotebook(notebook, {
      session,
      cellTimeoutSeconds: context.cellTimeoutSeconds,
    });
  },
};
