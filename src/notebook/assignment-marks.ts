/**
 * The marks nbgrader's "Create Assignment" cell toolbar sets on a source notebook's cells, and the
 * metadata it writes for them (nbgrader's labextension, src/create_assignment/create_assignment_model.ts
 * at 0.9.5: the cell types, `getType`, `newNbgraderData` and its `PrivateToolData` rules). The
 * assignment editor reads marks from cells, lets an instructor change them, and writes them back
 * with these rules; a cell whose marks did not change keeps its metadata untouched, as the
 * toolbar leaves a cell alone until someone changes it.
 */
import { NBGRADER_SCHEMA_VERSION } from './nbgrader-cells.js';
import { cloneJson } from './python-json.js';
import type { Cell, JsonValue, NbgraderCellMetadata, Notebook } from './types.js';

/** The toolbar's cell types, by the values its select uses ('' is "-"). */
export const MARK_TYPES = ['', 'manual', 'task', 'solution', 'tests', 'readonly'] as const;
export type MarkType = (typeof MARK_TYPES)[number];

/** The toolbar's labels for its cell types (the classic toolbar's wording). */
export const MARK_LABELS: Record<MarkType, string> = {
  '': '-',
  manual: 'Manually graded answer',
  task: 'Manually graded task',
  solution: 'Autograded answer',
  tests: 'Autograder tests',
  readonly: 'Read-only',
};

/** The types a cell of this kind may have (autograded ones only for code, as the toolbar offers). */
export function markTypesFor(cellType: Cell['cell_type']): MarkType[] {
  return MARK_TYPES.filter((type) => cellType === 'code' || (type !== 'solution' && type !== 'tests'));
}

/** Whether a type carries points (the toolbar's points box is editable only for these). */
export const isGradedType = (type: MarkType) => type === 'manual' || type === 'tests' || type === 'task';

export interface CellMarks {
  type: MarkType;
  /** The grade id as typed ('' for none). */
  gradeId: string;
  /**
   * The points as typed, parsed: a number, or the text itself when it is not one (nbgrader's
   * schema then says so), or undefined when left empty.
   */
  points: number | string | undefined;
}

type Meta = Partial<NbgraderCellMetadata> & Record<string, JsonValue | undefined>;

/** The toolbar's `getType`: how it shows a cell's existing metadata. */
export function markTypeOf(cell: Cell): MarkType {
  const meta = cell.metadata.nbgrader as Meta | undefined;
  if (!meta) return '';
  const task = meta.task === true;
  const solution = meta.solution === true;
  const grade = meta.grade === true;
  if (task) return 'task';
  if (solution && grade) return 'manual';
  if (solution && cell.cell_type === 'code') return 'solution';
  if (grade && cell.cell_type === 'code') return 'tests';
  if (!solution && (grade || meta.locked === true)) return 'readonly';
  return '';
}

/** The marks a cell has now, as the editor shows them. */
export function marksOf(cell: Cell): CellMarks {
  const meta = cell.metadata.nbgrader as Meta | undefined;
  const type = markTypeOf(cell);
  const points = meta?.points;
  return {
    type,
    gradeId: typeof meta?.grade_id === 'string' ? meta.grade_id : '',
    points: typeof points === 'number' || typeof points === 'string' ? points : undefined,
  };
}

/** A points box's text as the toolbar reads it (a number), or the text when it is not a number. */
export function parsePoints(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? value : trimmed;
}

/**
 * The metadata the toolbar writes for these marks (`newNbgraderData` + `toJson`): its keys in its
 * order, points only for graded cells and tasks, `locked` as `getLocked` sets it. Undefined for "-".
 */
export function metadataForMarks(marks: CellMarks): NbgraderCellMetadata | undefined {
  const { type } = marks;
  if (type === '') return undefined;
  const grade = type === 'manual' || type === 'tests';
  const solution = type === 'manual' || type === 'solution';
  const task = type === 'task';
  const locked = solution ? false : grade ? true : type === 'task' || type === 'readonly';
  const meta: Record<string, JsonValue> = { grade, grade_id: marks.gradeId, locked };
  if ((grade || task) && marks.points !== undefined) meta.points = marks.points;
  meta.schema_version = NBGRADER_SCHEMA_VERSION;
  meta.solution = solution;
  meta.task = task;
  return meta as unknown as NbgraderCellMetadata;
}

function sameMarks(a: CellMarks, b: CellMarks): boolean {
  const graded = isGradedType(a.type);
  return (
    a.type === b.type &&
    (a.type === '' || a.gradeId === b.gradeId) &&
    (!graded || (a.points === b.points && a.points !== undefined))
  );
}

/**
 * The notebook with each cell's marks applied (a copy; `notebook` is not changed). `marks[i]` is
 * cell i's; a cell whose marks are those it has keeps its metadata as it is.
 */
export function applyMarks(notebook: Notebook, marks: readonly CellMarks[]): Notebook {
  const copy = cloneJson(notebook);
  copy.cells.forEach((cell, index) => {
    const wanted = marks[index];
    if (!wanted || sameMarks(wanted, marksOf(cell))) return;
    const meta = metadataForMarks(wanted);
    if (meta === undefined) delete cell.metadata.nbgrader;
    else cell.metadata.nbgrader = meta;
  });
  return copy;
}
