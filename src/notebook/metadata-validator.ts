/**
 * nbgrader's MetadataValidator (schema v3): the version check, the JSON schema, and nbgrader's own
 * rules (grade ids, points, markdown grade/solution pairing, task cells), with the same messages.
 */
import { NbgraderMetadataError, SchemaTooNewError, SchemaTooOldError } from './errors.js';
import { checkMetadataSchema } from './metadata-schema.js';
import { NBGRADER_SCHEMA_VERSION } from './nbgrader-cells.js';
import { joinLines } from './lines.js';
import { pythonStr } from './python-repr.js';
import type { Cell, Notebook } from './types.js';

export interface MetadataValidation {
  /** Things nbgrader logs as warnings but accepts (e.g. "Cell type has changed from markdown to code!"). */
  warnings: string[];
}

function nbgraderRule(detail: string): NbgraderMetadataError {
  return new NbgraderMetadataError({ detail, rule: 'nbgrader' });
}

/** Validates one cell's nbgrader metadata; throws NbgraderMetadataError (or a schema-version error). */
export function validateCellMetadata(cell: Cell): MetadataValidation {
  const warnings: string[] = [];
  const meta = cell.metadata.nbgrader;
  if (meta === undefined) return { warnings };
  const version = typeof meta === 'object' && meta !== null ? (meta.schema_version ?? 0) : 0;
  if (typeof version === 'number') {
    if (version < NBGRADER_SCHEMA_VERSION) throw new SchemaTooOldError(version);
    if (version > NBGRADER_SCHEMA_VERSION) throw new SchemaTooNewError(version);
  }
  checkMetadataSchema(meta);

  const source = joinLines(cell.source);
  const { grade, solution, locked } = meta;
  const task = meta.task ?? false;
  if ('cell_type' in meta && meta.cell_type !== cell.cell_type)
    warnings.push(`Cell type has changed from ${pythonStr(meta.cell_type)} to ${cell.cell_type}!`);
  if (grade || solution || locked) {
    if (!('grade_id' in meta)) throw nbgraderRule(`nbgrader cell does not have a grade_id: ${source}`);
    if (meta.grade_id === '') throw nbgraderRule('grade_id is empty');
  }
  if (grade && !('points' in meta))
    throw nbgraderRule(`nbgrader cell '${pythonStr(meta.grade_id)}' does not have points`);
  // nbgrader's schema lets NaN and Infinity through ("minimum: 0" compares false); no gradebook
  // can add them up, so coursehub refuses them here, where the cell is known.
  if (typeof meta.points === 'number' && !Number.isFinite(meta.points))
    throw nbgraderRule(
      `the points of cell '${pythonStr(meta.grade_id)}' are ${meta.points}, not a finite number of at least 0`,
    );
  if (!task) {
    if (cell.cell_type === 'markdown' && grade && !solution)
      throw nbgraderRule(
        `Markdown grade cell '${pythonStr(meta.grade_id)}' is not marked as a solution cell`,
      );
    if (cell.cell_type === 'markdown' && !grade && solution)
      throw nbgraderRule(`Markdown solution cell is not marked as a grade cell: ${source}`);
  } else if (cell.cell_type !== 'markdown') {
    throw nbgraderRule(`Task cells have to be markdown: ${source}`);
  }
  return { warnings };
}

/**
 * Validates every cell, then that grade ids are unique (nbgrader's `validate_nb`). Stops at the
 * first problem; the error's `cellIndex` says which cell.
 */
export function validateNotebookMetadata(notebook: Notebook): MetadataValidation {
  const warnings: string[] = [];
  notebook.cells.forEach((cell, index) => {
    try {
      warnings.push(...validateCellMetadata(cell).warnings);
    } catch (error) {
      throw error instanceof NbgraderMetadataError ? error.atCell(index) : error;
    }
  });
  const seen = new Map<string, number>();
  notebook.cells.forEach((cell, index) => {
    const meta = cell.metadata.nbgrader;
    if (meta === undefined || !(meta.grade || meta.solution || meta.locked)) return;
    const id = pythonStr(meta.grade_id);
    const first = seen.get(id);
    if (first !== undefined)
      throw new NbgraderMetadataError(
        { detail: `Duplicate grade id: ${id}`, rule: 'nbgrader', cellIndex: index },
        `Cell ${first + 1} has the same ID (a copied cell?); give every graded, solution and read-only cell its own ID.`,
      );
    seen.set(id, index);
  });
  return { warnings };
}
