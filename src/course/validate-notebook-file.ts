/**
 * `nbgrader validate` for one notebook file: read it, then run nbgrader's Validator steps
 * (grading/validate) with kernels that run in a scratch copy of the notebook's folder. The copy
 * and its kernel are removed however the run ends: done, failed, or stopped through `signal`.
 */
import { dirname, resolve } from 'node:path';
import type { KernelLauncher } from '../grading/execution.js';
import {
  validateNotebook,
  type NotebookValidation,
  type ValidateOptions,
} from '../grading/validate/index.js';
import { copyFolderForRun, readNotebookFile } from './course-files.js';
import { kernelsIn, kernelsInScratchCopy } from './kernels.js';

export interface ValidateNotebookOptions extends ValidateOptions {
  launcher: KernelLauncher;
  /** Seconds per cell (nbgrader's Execute.timeout); null for no limit. */
  cellTimeoutSeconds: number | null;
  startupTimeoutMs?: number;
  /**
   * Run in a scratch copy of the notebook's folder (default true). The sandboxed launcher takes
   * over the folder it runs in (it gives it to the grading account), and validating must leave the
   * student's own folder as it was; files the notebook writes go to the copy and are dropped.
   */
  useScratchCopy?: boolean;
  /** Stops the run (Ctrl-C): the kernel is stopped, the copy removed, and the signal's reason thrown. */
  signal?: AbortSignal;
  /** Hears of each file of the folder that could not be copied (and so is not there for the run). */
  onSkip?: (path: string, reason: string) => void;
}

/** No limit, in the units Execute takes: a day. */
const NO_TIMEOUT_SECONDS = 24 * 3600;

/** `work`, or the signal's reason as soon as it is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function validateNotebookFile(
  path: string,
  options: ValidateNotebookOptions,
): Promise<NotebookValidation> {
  options.signal?.throwIfAborted();
  const notebook = await readNotebookFile(path);
  const folder = dirname(resolve(path));
  const scratch =
    options.useScratchCopy === false
      ? undefined
      : kernelsInScratchCopy(options.launcher, 'validate', (copy) =>
          copyFolderForRun(folder, copy, options.onSkip ?? (() => undefined)),
        );
  const kernels = scratch ?? kernelsIn(options.launcher, folder);
  try {
    const validation = validateNotebook(
      notebook,
      {
        notebookLabel: path,
        kernels,
        executionMode: 'validate',
        cellTimeoutSeconds: options.cellTimeoutSeconds ?? NO_TIMEOUT_SECONDS,
        ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
      },
      options,
    );
    return await untilAborted(validation, options.signal);
  } finally {
    // Stops the kernel too, so a run still waiting for it ends (its result is not wanted).
    await scratch?.close();
  }
}
