/**
 * `nbgrader validate` for one notebook file: refuse changed cell types, check the nbgrader
 * metadata, clear the outputs, run every code cell in the notebook's own folder (through the
 * KernelLauncher the caller chose, so the student's code never runs with the caller's rights),
 * then report failing tests and changed read-only cells.
 */
import { cp, lstat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  NbgraderMetadataError,
  SchemaTooNewError,
  SchemaTooOldError,
  parseNotebook,
  validateNotebookMetadata,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { executeNotebook } from '../execute-notebook.js';
import type { KernelLauncher } from '../execution.js';
import { formatValidationReport, validationPassed } from './report.js';
import {
  typeChangedCells,
  validationResults,
  type ValidateOptions,
  type ValidationResults,
} from './results.js';

export class ValidateError extends CoursehubError {}

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

export interface NotebookValidation {
  results: ValidationResults;
  /** nbgrader's printed report. */
  report: string;
  passed: boolean;
}

/** No limit, in the units executeNotebook takes: a day. */
const NO_TIMEOUT_SECONDS = 24 * 3600;

export async function validateNotebookFile(
  path: string,
  options: ValidateNotebookOptions,
): Promise<NotebookValidation> {
  const notebook = parseNotebook(await readFile(path), { name: path });
  const done = (results: ValidationResults): NotebookValidation => ({
    results,
    report: formatValidationReport(results, options),
    passed: validationPassed(results, options),
  });
  const typeChanged = typeChangedCells(notebook);
  if (typeChanged.length > 0) return done({ typeChanged });

  try {
    validateNotebookMetadata(notebook);
  } catch (error) {
    if (error instanceof SchemaTooOldError)
      throw new ValidateError(`The notebook '${path}' uses an old version of the nbgrader metadata format.`, {
        hint: `Back up this notebook, then update its metadata (nbgrader update ${path}).`,
        cause: error,
      });
    if (error instanceof SchemaTooNewError)
      throw new ValidateError(
        `The notebook '${path}' uses a newer version of the nbgrader metadata format.`,
        {
          hint: 'Update coursehub to a version that reads it.',
          cause: error,
        },
      );
    if (error instanceof NbgraderMetadataError)
      throw new ValidateError(`${path}: ${error.message}`, {
        hint: 'Ask your instructor for a fresh copy of the notebook.',
        cause: error,
      });
    throw error;
  }

  for (const cell of notebook.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.outputs = [];
    cell.execution_count = null;
    delete cell.metadata.collapsed;
    delete cell.metadata.scrolled;
  }
  const folder = dirname(resolve(path));
  const scratch =
    options.useScratchCopy === false ? undefined : await mkdtemp(join(tmpdir(), 'coursehub-validate-'));
  try {
    if (scratch)
      await cp(folder, scratch, {
        recursive: true,
        // Regular files and folders only; checkpoints are not needed to run the notebook.
        filter: async (source) => {
          const info = await lstat(source);
          return (info.isDirectory() || info.isFile()) && !source.endsWith('.ipynb_checkpoints');
        },
      });
    await executeNotebook(notebook, {
      launcher: options.launcher,
      workingDirectory: scratch ?? folder,
      cellTimeoutSeconds: options.cellTimeoutSeconds ?? NO_TIMEOUT_SECONDS,
      mode: 'validate',
      ...(options.startupTimeoutMs === undefined ? {} : { startupTimeoutMs: options.startupTimeoutMs }),
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  return done(validationResults(notebook, options));
}
