/**
 * nbgrader's OverwriteCells: puts back what the student may not change, from the gradebook copy of
 * the source (cell types, locked flags, points, checksums, and the sources of locked cells, which
 * brings hidden tests back), drops grade ids the gradebook does not know, and optionally re-adds
 * grade and task cells the student deleted.
 */
import {
  computeChecksum,
  isGrade,
  isLocked,
  markAsFloat,
  type Cell,
  type Notebook,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import type { Step } from '../pipeline/step.js';
import type { StepLog } from '../pipeline/step-log.js';
import type { AutogradeContext } from './context.js';
import type { AutogradeSettings } from './settings.js';
import type { SourceNotebook } from './source-notebook.js';

export class InconsistentChecksumError extends CoursehubError {}

/** A changed cell type that cannot be restored (see changeCellType). */
export class CellTypeConversionError extends CoursehubError {}

const pyBool = (value: boolean) => (value ? 'True' : 'False');

function reportChange(log: StepLog, name: string, attr: string, old: string, got: string): void {
  log.warn(`Attribute '${attr}' for cell ${name} has changed! (should be: ${old}, got: ${got})`);
}

/**
 * Puts a cell back to the type it had in the source. nbgrader validates the converted cell against
 * the nbformat 4.5 schema, which requires a cell id, so a submission in nbformat < 4.5 (cells
 * without ids) fails here; we keep that outcome so scores stay nbgrader's
 * (conformance case `pp-cell-type-changed`).
 */
function changeCellType(cell: Cell, cellType: 'code' | 'markdown'): Cell {
  if (cell.id === undefined) {
    throw new CellTypeConversionError(
      `Cannot convert cell '${String(cell.metadata.nbgrader?.grade_id)}' back to ${cellType}: it has no cell id ('id' is a required property).`,
      {
        hint: 'The student changed the type of a graded cell in a notebook older than nbformat 4.5; grade it by hand, or ask for a resubmission saved with a current Jupyter.',
      },
    );
  }
  if (cellType === 'code') {
    return { ...cell, cell_type: 'code', outputs: [], execution_count: null } as Cell;
  }
  const {
    outputs: _outputs,
    execution_count: _count,
    ...rest
  } = cell as Cell & {
    outputs?: unknown;
    execution_count?: unknown;
  };
  return { ...rest, cell_type: 'markdown' } as Cell;
}

function overwriteCell(cell: Cell, source: SourceNotebook, log: StepLog): Cell {
  const meta = cell.metadata.nbgrader;
  const gradeId = meta?.grade_id;
  if (meta === undefined || gradeId === undefined || gradeId === null) return cell;
  const name = String(gradeId);
  const sourceCell = source.sourceCells.find((c) => c.name === name);
  if (!sourceCell) {
    log.warn(`Cell '${name}' does not exist in the database`);
    delete meta.grade_id;
    return cell;
  }
  if (cell.cell_type !== sourceCell.cellType) {
    reportChange(log, name, 'cell_type', sourceCell.cellType, cell.cell_type);
    cell = changeCellType(cell, sourceCell.cellType);
  }
  const nbgrader = cell.metadata.nbgrader!;
  if (isLocked(cell) !== sourceCell.locked) {
    reportChange(log, name, 'locked', pyBool(sourceCell.locked), pyBool(isLocked(cell)));
    nbgrader.locked = sourceCell.locked;
  }
  if (isGrade(cell)) {
    const graded = [...source.gradeCells, ...source.taskCells].find((c) => c.name === name);
    if (!graded) throw new CoursehubError(`Grade cell '${name}' is missing from the gradebook.`);
    if (Number(nbgrader.points) !== graded.maxScore) {
      reportChange(log, name, 'points', String(graded.maxScore), String(nbgrader.points));
      nbgrader.points = graded.maxScore;
      markAsFloat(nbgrader, 'points');
    }
  }
  // Always take the stored checksum ("just in case", as nbgrader says).
  if (sourceCell.checksum === null) delete nbgrader.checksum;
  else nbgrader.checksum = sourceCell.checksum;
  if (sourceCell.locked) {
    const current = computeChecksum(cell);
    if (current !== sourceCell.checksum) {
      reportChange(log, name, 'checksum', String(sourceCell.checksum), current);
      cell.source = sourceCell.source;
      if (computeChecksum(cell) !== sourceCell.checksum) {
        throw new InconsistentChecksumError(`Inconsistent checksums for cell ${name}`, {
          hint: 'The gradebook copy of this cell does not match its checksum: run generate_assignment again.',
        });
      }
    }
  }
  return cell;
}

function missingCell(
  source: SourceNotebook,
  name: string,
  maxScore: number,
  notification: string,
  kind: 'grade' | 'solution' | 'task',
): Cell {
  const sourceCell = source.sourceCells.find((c) => c.name === name)!;
  const text = notification.replaceAll('{cell_id}', name) + sourceCell.source;
  const nbgrader: Record<string, unknown> = {
    grade: kind !== 'task',
    grade_id: name,
    locked: sourceCell.locked,
    checksum: sourceCell.checksum,
    cell_type: sourceCell.cellType,
    points: maxScore,
    solution: kind === 'solution',
    schema_version: 3,
  };
  if (kind === 'task') nbgrader.task = true;
  markAsFloat(nbgrader, 'points');
  const metadata: Record<string, unknown> = { deletable: false, nbgrader };
  if (kind !== 'solution') metadata.editable = false;
  const cell = { cell_type: sourceCell.cellType, metadata, source: text } as unknown as Cell;
  if (cell.cell_type === 'code') {
    cell.source = `# ${text}`;
    Object.assign(cell, { execution_count: null, outputs: [] });
  }
  return cell;
}

/** add_missing_grade_cells: after the previous source cell's position, as nbgrader places them. */
function addMissingGradeCells(
  notebook: Notebook,
  source: SourceNotebook,
  settings: AutogradeSettings,
  log: StepLog,
) {
  const sourceIds = source.sourceCells.map((c) => c.name);
  const positions = new Map<string, number>();
  notebook.cells.forEach((cell, index) => {
    const meta = cell.metadata.nbgrader;
    if (meta && (meta.grade || meta.solution)) positions.set(String(meta.grade_id), index);
  });
  let added = 0;
  for (const gradeCell of source.gradeCells) {
    if (positions.has(gradeCell.name)) continue;
    log.warn(`Missing grade cell ${gradeCell.name} encountered, adding to notebook`);
    const index = sourceIds.indexOf(gradeCell.name);
    const kind = source.solutionCells.includes(gradeCell.name) ? 'solution' : 'grade';
    const cell = missingCell(
      source,
      gradeCell.name,
      gradeCell.maxScore,
      settings.missingCellNotification,
      kind,
    );
    if (index === 0) {
      notebook.cells.splice(0, 0, cell);
      positions.set(gradeCell.name, 0);
    } else {
      const previous = positions.get(sourceIds[index - 1]!) ?? -1;
      notebook.cells.splice(previous + added + 1, 0, cell);
      positions.set(gradeCell.name, previous);
    }
    added += 1;
  }
}

function addMissingTaskCells(notebook: Notebook, source: SourceNotebook, settings: AutogradeSettings) {
  const present = new Set(
    notebook.cells.filter((c) => c.metadata.nbgrader).map((c) => String(c.metadata.nbgrader?.grade_id)),
  );
  for (const task of source.taskCells) {
    if (present.has(task.name)) continue;
    notebook.cells.push(
      missingCell(source, task.name, task.maxScore, settings.missingCellNotification, 'task'),
    );
  }
}

export const overwriteCells: Step<Pick<AutogradeContext, 'source' | 'settings' | 'log'>> = {
  name: 'OverwriteCells',
  run(notebook, { source, settings, log }) {
    notebook.cells = notebook.cells.map((cell) => overwriteCell(cell, source, log));
    if (settings.addMissingCells) {
      addMissingGradeCells(notebook, source, settings, log);
      addMissingTaskCells(notebook, source, settings);
    }
  },
};
