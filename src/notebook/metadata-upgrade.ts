/**
 * Upgrading nbgrader cell metadata written by older nbgrader versions (schema 0, 1, 2) to
 * schema 3, step by step as nbgrader's `nbgrader update` does.
 */
import { SCHEMA_PROPERTIES } from './metadata-schema.js';
import { NBGRADER_SCHEMA_VERSION, pointsAsFloat } from './nbgrader-cells.js';
import { markAsFloat } from './python-json.js';
import type { Cell, NbgraderCellMetadata, Notebook } from './types.js';

/** v0 had no schema_version; cells marked nothing at all lose their nbgrader metadata. */
function upgradeV0ToV1(cell: Cell, meta: NbgraderCellMetadata): boolean {
  meta.grade ??= false;
  meta.solution ??= false;
  meta.locked ??= false;
  if (!meta.grade && !meta.solution && !meta.locked) {
    delete cell.metadata.nbgrader;
    return false;
  }
  if (!meta.grade) delete meta.points;
  else {
    const raw: unknown = meta.points;
    const points = raw === undefined || raw === '' ? 0 : pointsAsFloat(raw);
    meta.points = points < 0 ? 0 : points;
    markAsFloat(meta, 'points'); // Python's float(): written back as 2.0
  }
  meta.schema_version = 1;
  return true;
}

/** v2 added the stored cell type, but only where a checksum had already been stored. */
function upgradeV1ToV2(cell: Cell, meta: NbgraderCellMetadata, warnings: string[]): void {
  if ('checksum' in meta && !('cell_type' in meta)) {
    warnings.push('Cell does not have a stored cell type! Adding default cell type.');
    meta.cell_type = cell.cell_type;
  }
  meta.schema_version = 2;
}

/** Upgrades one cell in place; returns the warnings nbgrader would log. */
export function upgradeCellMetadata(cell: Cell): string[] {
  const warnings: string[] = [];
  const meta = cell.metadata.nbgrader;
  if (meta === undefined) return warnings;
  meta.schema_version ??= 0;
  if (meta.schema_version === 0 && !upgradeV0ToV1(cell, meta)) return warnings;
  if (meta.schema_version === 1) upgradeV1ToV2(cell, meta, warnings);
  if (meta.schema_version === 2) meta.schema_version = NBGRADER_SCHEMA_VERSION;
  const extra = Object.keys(meta).filter((key) => !Object.hasOwn(SCHEMA_PROPERTIES, key));
  if (extra.length > 0) {
    warnings.push(`extra keys detected in metadata, these will be removed: ${extra.join(', ')}`);
    for (const key of extra) delete meta[key];
  }
  return warnings;
}

/** Upgrades every cell of a notebook in place; returns the warnings. */
export function upgradeNotebookMetadata(notebook: Notebook): string[] {
  return notebook.cells.flatMap((cell) => upgradeCellMetadata(cell));
}
