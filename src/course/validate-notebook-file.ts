/**
 * `nbgrader validate` for one notebook file: read it, then run nbgrader's Validator steps
 * (grading/validate) with kernels that run in a scratch copy of the notebook's folder.
 */
import { cp, lstat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KernelLauncher } from '../grading/execution.js';
import {
  validateNotebook,
  type NotebookValidation,
  type ValidateOptions,
} from '../grading/validate/index.js';
import { readNotebookFile } from './course-files.js';
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
}

/** No limit, in the units Execute takes: a day. */
const NO_TIMEOUT_SECONDS = 24 * 3600;

/** Regular files and folders only; checkpoints are not needed to run the notebook. */
async function copyFolder(from: string, to: string): Promise<void> {
  await cp(from, to, {
    recursive: true,
    filter: async (source) => {
      const info = await lstat(source);
      return (info.isDirectory() || info.isFile()) && !source.endsWith('.ipynb_checkpoints');
    },
  });
}

export async function validateNotebookFile(
  path: string,
  options: ValidateNotebookOptions,
): Promise<NotebookValidation> {
  const notebook = await readNotebookFile(path);
  const folder = dirname(resolve(path));
  const scratch =
    options.useScratchCopy === false
      ? undefined
      : kernelsInScratchCopy(options.launcher, 'validate', (copy) => copyFolder(folder, copy));
  const kernels = scratch ?? kernelsIn(options.launcher, folder);
  try {
    return await validateNotebook(
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
  } finally {
    await scratch?.close();
  }
}
