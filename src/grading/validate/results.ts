/**
 * What nbgrader's Validator finds in a notebook: cells whose type changed (checked before running
 * anything), locked cells whose contents changed, and test cells that pass or fail after running.
 */
import {
  cellSource,
  computeChecksum,
  isGrade,
  isLocked,
  isSolution,
  type Cell,
  type Notebook,
} from '../../notebook/index.js';
import { determineGrade } from '../autograde/determine-grade.js';
import { pointsAsFloat } from '../../notebook/index.js';

export interface ValidateOptions {
  /** Report the cells that pass instead of those that fail (`--invert`). */
  invert?: boolean;
  /** Validator.ignore_checksums: do not complain about changed locked cells. */
  ignoreChecksums?: boolean;
  /** Validator.validate_all: every code cell with an error counts, not only tests. */
  validateAll?: boolean;
}

export interface TypeChangedCell {
  source: string;
  /** The cell's type now (nbgrader calls it old_type). */
  oldType: string;
  /** The type stored at generate time (nbgrader calls it new_type). */
  newType: string;
}

export interface FailedCell {
  source: string;
  /** The error text, ANSI included, as nbgrader's `raw_error`. */
  error: string;
}

export interface ValidationResults {
  typeChanged?: TypeChangedCell[];
  changed?: { source: string }[];
  passed?: { source: string }[];
  failed?: FailedCell[];
}

/** Cells whose type differs from the one stored at generate time (nbgrader stops there). */
export function typeChangedCells(notebook: Notebook): TypeChangedCell[] {
  const changed: TypeChangedCell[] = [];
  for (const cell of notebook.cells) {
    if (!(isGrade(cell) || isSolution(cell) || isLocked(cell))) continue;
    const stored = cell.metadata.nbgrader?.cell_type;
    if (typeof stored === 'string' && stored !== '' && stored !== cell.cell_type)
      changed.push({ source: cellSource(cell).trim(), oldType: cell.cell_type, newType: stored });
  }
  return changed;
}

function autoScore(cell: Cell): { score: number | null; max: number } {
  return { score: determineGrade(cell), max: pointsAsFloat(cell.metadata.nbgrader?.points) };
}

function failedOutput(cell: Cell): boolean {
  return (
    cell.cell_type === 'code' &&
    cell.outputs.some((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
  );
}

/** nbgrader's `_extract_error`: the tracebacks and stderr of a failed cell, or why it failed. */
function extractError(cell: Cell): string {
  const errors: string[] = [];
  if (cell.cell_type !== 'code') return 'You did not provide a response.';
  for (const output of cell.outputs) {
    if (output.output_type === 'error') errors.push(output.traceback.join('\n'));
    if (output.output_type === 'stream' && output.name === 'stderr')
      errors.push(typeof output.text === 'string' ? output.text : output.text.join(''));
  }
  if (errors.length === 0) {
    if (isGrade(cell)) {
      const { score, max } = autoScore(cell);
      if (score !== null && score < max) errors.push('Partial credit; passed some but not all of the tests');
    } else errors.push('You did not provide a response.');
  }
  return errors.join('\n');
}

/** Results for an executed notebook. May remove checksums from `notebook` (ignore_checksums), as nbgrader does. */
export function validationResults(notebook: Notebook, options: ValidateOptions = {}): ValidationResults {
  const changed: Cell[] = [];
  for (const cell of notebook.cells) {
    if (!(isGrade(cell) || isLocked(cell))) continue;
    const meta = cell.metadata.nbgrader!;
    // nbgrader drops the checksums here, which also makes unchanged answers count as answered.
    if (options.ignoreChecksums) delete meta.checksum;
    if (isLocked(cell) && meta.checksum !== undefined && meta.checksum !== computeChecksum(cell))
      changed.push(cell);
  }
  const passed: Cell[] = [];
  const failed: Cell[] = [];
  for (const cell of notebook.cells) {
    const graded = isGrade(cell);
    if (graded) {
      const { score, max } = autoScore(cell);
      if (score === null) continue;
      if (score === max) passed.push(cell);
      if (score < max || (max === 0 && failedOutput(cell))) failed.push(cell);
    } else if (options.validateAll && cell.cell_type === 'code' && failedOutput(cell)) failed.push(cell);
  }
  const source = (cell: Cell) => ({ source: cellSource(cell).trim() });
  if (!options.ignoreChecksums && changed.length > 0) return { changed: changed.map(source) };
  if (options.invert) return passed.length > 0 ? { passed: passed.map(source) } : {};
  return failed.length > 0
    ? { failed: failed.map((cell) => ({ source: cellSource(cell).trim(), error: extractError(cell) })) }
    : {};
}
