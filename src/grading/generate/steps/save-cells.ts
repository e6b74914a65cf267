import {
  cellSource,
  isGrade,
  isLocked,
  isSolution,
  isTask,
  pointsAsFloat,
  type Cell,
} from '../../../notebook/index.js';
import { GradebookCellError } from '../errors.js';
import type { Step } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';
import type { GeneratedNotebookRecord } from '../types.js';
import { setOwn } from '../../../util/own-keys.js';

function gradeIdFor(cell: Cell, cellIndex: number): string {
  const id = cell.metadata.nbgrader?.grade_id;
  if (typeof id !== 'string' || id === '')
    throw new GradebookCellError('the cell has no grade_id, so the gradebook cannot store it', { cellIndex });
  return id;
}

function maxScore(cell: Cell, cellIndex: number, gradeId: string): number {
  try {
    return pointsAsFloat(cell.metadata.nbgrader?.points);
  } catch {
    throw new GradebookCellError('the cell has no valid points', { cellIndex, gradeId });
  }
}

/**
 * SaveCells: records what the gradebook keeps from the instructor's version (runs after solutions
 * are stubbed and before hidden tests are removed, like nbgrader's).
 */
export const saveCells: Step<GenerateContext> = {
  name: 'SaveCells',
  run(notebook, context) {
    const kernelspec = notebook.metadata.kernelspec;
    const record: GeneratedNotebookRecord = {
      name: context.notebookId,
      kernelspec: kernelspec === undefined ? {} : { ...kernelspec },
      grade_cells: {},
      solution_cells: [],
      task_cells: {},
      source_cells: {},
      max_score: 0,
      max_code_score: 0,
      max_written_score: 0,
      max_task_score: 0,
    };
    notebook.cells.forEach((cell, cellIndex) => {
      const grade = isGrade(cell);
      const task = isTask(cell);
      const solution = isSolution(cell);
      const locked = isLocked(cell);
      if (!grade && !task && !solution && !locked) return;
      const gradeId = gradeIdFor(cell, cellIndex);
      if (cell.cell_type === 'raw')
        throw new GradebookCellError(
          "'raw' is not a cell type the gradebook can store (only code and markdown)",
          { cellIndex, gradeId },
          {
            hint: 'Make the cell markdown or code, or remove its nbgrader marking (read-only, tests, answer).',
          },
        );
      if (grade) {
        const score = maxScore(cell, cellIndex, gradeId);
        setOwn(record.grade_cells, gradeId, { cell_type: cell.cell_type, max_score: score });
        if (cell.cell_type === 'code') record.max_code_score += score;
        else record.max_written_score += score;
      }
      if (solution && !record.solution_cells.includes(gradeId)) record.solution_cells.push(gradeId);
      if (task) {
        const score = maxScore(cell, cellIndex, gradeId);
        setOwn(record.task_cells, gradeId, { cell_type: 'markdown', max_score: score });
        record.max_task_score += score;
      }
      const checksum = cell.metadata.nbgrader?.checksum;
      setOwn(record.source_cells, gradeId, {
        cell_type: cell.cell_type,
        locked,
        source: cellSource(cell),
        checksum: typeof checksum === 'string' ? checksum : null,
      });
    });
    record.max_score = record.max_code_score + record.max_written_score + record.max_task_score;
    context.record = record;
  },
};
