/**
 * nbgrader's view of a cell: the derived predicates of `nbgrader.utils` and the checksum that
 * `compute_checksum` stores, computed the same way so that checksums in existing notebooks verify.
 */
import { createHash } from 'node:crypto';
import { NbgraderMetadataError } from './errors.js';
import { joinLines } from './lines.js';
import { pythonFloatRepr } from './python-float.js';
import { pythonStr } from './python-repr.js';
import type { Cell, NbgraderCellMetadata } from './types.js';

/** The current nbgrader cell metadata schema version. */
export const NBGRADER_SCHEMA_VERSION = 3;

/** The cell's `metadata.nbgrader`, or undefined when it has none. */
export function nbgraderMetadata(cell: Cell): NbgraderCellMetadata | undefined {
  const meta = cell.metadata.nbgrader;
  return meta === undefined ? undefined : meta;
}

export function hasNbgraderMetadata(cell: Cell): boolean {
  return cell.metadata.nbgrader !== undefined;
}

// nbgrader returns the stored value itself (`meta.get('grade', False)`); Python truthiness decides.
const truthy = (v: unknown): boolean =>
  v !== undefined &&
  v !== null &&
  v !== false &&
  v !== 0 &&
  v !== '' &&
  !(Array.isArray(v) && v.length === 0);

/** A graded cell: autograder tests (code) or a manually graded answer (markdown). */
export function isGrade(cell: Cell): boolean {
  return truthy(nbgraderMetadata(cell)?.grade);
}

/** A cell the student answers in. */
export function isSolution(cell: Cell): boolean {
  return truthy(nbgraderMetadata(cell)?.solution);
}

/** A manually graded task (markdown) cell. */
export function isTask(cell: Cell): boolean {
  return truthy(nbgraderMetadata(cell)?.task);
}

/** Whether the cell's source is restored from the instructor's version: grade cells and read-only cells, never answers. */
export function isLocked(cell: Cell): boolean {
  const meta = nbgraderMetadata(cell);
  if (meta === undefined || isSolution(cell)) return false;
  if (isGrade(cell)) return true;
  return truthy(meta.locked);
}

/** Whether ComputeChecksums gives this cell a checksum. */
export function needsChecksum(cell: Cell): boolean {
  return isGrade(cell) || isSolution(cell) || isLocked(cell);
}

/**
 * Python's `float(x)` for a points value: numbers, numeric strings, booleans. Throws for anything
 * else, as Python does.
 */
export function pointsAsFloat(points: unknown): number {
  if (typeof points === 'number') return points;
  if (typeof points === 'boolean') return points ? 1 : 0;
  if (typeof points === 'string') {
    const text = points.trim().replace(/_/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
    if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/i.test(text)) return NaN;
  }
  throw new NbgraderMetadataError({
    detail: `could not convert points to a number: ${pythonStr(points)}`,
    rule: 'nbgrader',
  });
}

/** `str(float(points))`, as the checksum hashes it (e.g. "1.0", "1e-05"). */
export function pointsAsPythonFloatString(points: unknown): string {
  return pythonFloatRepr(pointsAsFloat(points));
}

/** nbgrader's `compute_checksum(cell)`: md5 over source, type, flags, grade id and points. */
export function computeChecksum(cell: Cell): string {
  const meta = nbgraderMetadata(cell) ?? {};
  if (!('grade_id' in meta) || meta.grade_id === undefined)
    throw new NbgraderMetadataError({
      detail: "the cell has no grade_id (KeyError: 'grade_id')",
      rule: 'nbgrader',
    });
  const hash = createHash('md5');
  hash.update(joinLines(cell.source), 'utf8');
  hash.update(cell.cell_type, 'utf8');
  // nbgrader hashes str() of the raw predicate values: "True", but also "yes" for grade: "yes".
  const raw = (key: string): unknown => (key in meta ? meta[key] : false);
  const locked = isSolution(cell) ? false : isGrade(cell) ? true : raw('locked');
  hash.update(pythonStr(raw('grade'), meta, 'grade'), 'utf8');
  hash.update(pythonStr(raw('solution'), meta, 'solution'), 'utf8');
  hash.update(pythonStr(locked, meta, 'locked'), 'utf8');
  hash.update(pythonStr(meta.grade_id), 'utf8');
  if (isGrade(cell)) {
    if (!('points' in meta) || meta.points === undefined)
      throw new NbgraderMetadataError({
        detail: "the grade cell has no points (KeyError: 'points')",
        rule: 'nbgrader',
      });
    hash.update(pointsAsPythonFloatString(meta.points), 'utf8');
  }
  return hash.digest('hex');
}
