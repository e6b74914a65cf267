/**
 * Runs every code cell of a notebook through one KernelSession, as nbclient 0.7 runs it for
 * nbgrader's Execute: errors do not stop the run, each cell gets the kernel's execution_count and
 * its outputs, a cell that runs past the timeout is interrupted and gets nbgrader's
 * `CellTimeoutError` output after the kernel's own KeyboardInterrupt. Used by the Execute step.
 *
 * One deliberate difference: when the kernel dies (nbclient raises DeadKernelError and nbgrader
 * fails the whole submission), the cell and every later code cell get a `DeadKernelError` error
 * output, so their tests score 0 instead of passing for lack of output, and the grader moves on.
 */
import { joinLines, type CodeCell, type ErrorOutput, type Notebook } from '../notebook/index.js';
import type { CellRunResult, KernelSession, KernelStartOptions } from './execution.js';

export type ExecutionMode = 'autograde' | 'validate';

export interface ExecuteNotebookReport {
  /** The isolation the kernel ran under (for the grading log). */
  isolation: string;
  /** True when the kernel died or had to be killed before the last cell. */
  kernelDied: boolean;
  timedOutCells: number;
}

export const CELL_TIMEOUT_OUTPUT: ErrorOutput = {
  output_type: 'error',
  ename: 'CellTimeoutError',
  evalue: '',
  traceback: ['\u001b[0;31mCellTimeoutError\u001b[0m: No reply from kernel before timeout'],
};

const DEAD_KERNEL_OUTPUT: ErrorOutput = {
  output_type: 'error',
  ename: 'DeadKernelError',
  evalue: 'Kernel died',
  traceback: [
    '\u001b[0;31mDeadKernelError\u001b[0m: the kernel died (or was killed) before this cell finished',
  ],
};

function applyResult(cell: CodeCell, result: CellRunResult): void {
  cell.execution_count = result.executionCount;
  cell.outputs = [...result.outputs];
  if (result.status === 'timeout') cell.outputs.push(structuredClone(CELL_TIMEOUT_OUTPUT));
  else if (result.status === 'dead') cell.outputs.push(structuredClone(DEAD_KERNEL_OUTPUT));
  else if (result.status === 'error' && !cell.outputs.some((o) => o.output_type === 'error')) {
    // The kernel said "error" but showed none (e.g. the student disabled showtraceback): nbgrader
    // appends the reply's error so the cell cannot pass silently.
    cell.outputs.push({
      output_type: 'error',
      ename: result.errorReply?.ename ?? 'Error',
      evalue: result.errorReply?.evalue ?? '',
      traceback: result.errorReply?.traceback.length
        ? result.errorReply.traceback
        : ['ERROR: An error occurred while showtraceback was disabled'],
    });
  }
}

/**
 * The kernel a notebook runs in: its kernelspec, NBGRADER_EXECUTION (and NBGRADER_VALIDATING) as
 * nbgrader sets them. Exported so that a caller starting a kernel early asks for the same one.
 */
export function notebookKernelOptions(
  notebook: Notebook,
  mode: ExecutionMode,
  startupTimeoutMs = 60_000,
): Omit<KernelStartOptions, 'workingDirectory'> {
  return {
    kernelName: notebook.metadata.kernelspec?.name ?? 'python3',
    env: {
      NBGRADER_EXECUTION: mode,
      ...(mode === 'validate' ? { NBGRADER_VALIDATING: '1' } : {}),
    },
    startupTimeoutMs,
  };
}

/** Runs the notebook in place in `session` (which may still be starting), then shuts it down. */
export async function executeNotebook(
  notebook: Notebook,
  options: { session: Promise<KernelSession>; cellTimeoutSeconds: number },
): Promise<ExecuteNotebookReport> {
  const session: KernelSession = await options.session;
  const report: ExecuteNotebookReport = { isolation: session.isolation, kernelDied: false, timedOutCells: 0 };
  try {
    for (const cell of notebook.cells) {
      if (cell.cell_type !== 'code') continue;
      // nbclient skips cells that are empty or only whitespace.
      const code = joinLines(cell.source);
      if (code.trim() === '') continue;
      if (report.kernelDied) {
        cell.execution_count = null;
        cell.outputs = [structuredClone(DEAD_KERNEL_OUTPUT)];
        continue;
      }
      const result = await session.execute(code, { timeoutMs: options.cellTimeoutSeconds * 1000 });
      applyResult(cell, result);
      if (result.status === 'timeout') report.timedOutCells += 1;
      if (result.status === 'dead') report.kernelDied = true;
    }
  } finally {
    await session.shutdown();
  }
  return report;
}
