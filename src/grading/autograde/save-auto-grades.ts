/**
 * SaveAutoGrades, without the database: reads the scores and "No response." comments off the
 * executed notebook. The gradebook layer stores them (in one transaction per submission).
 */
import { computeChecksum, isGrade, isSolution, isTask, type Notebook } from '../../notebook/index.js';
import type { Step } from '../pipeline/step.js';
import type { AutogradeContext, NotebookGrades } from './context.js';
import { determineGrade } from './determine-grade.js';

export function collectAutoGrades(notebook: Notebook): NotebookGrades {
  const result: NotebookGrades = { grades: [], comments: [] };
  for (const cell of notebook.cells) {
    const meta = cell.metadata.nbgrader;
    if (!meta || meta.grade_id === undefined) continue;
    const name = String(meta.grade_id);
    if (isGrade(cell)) result.grades.push({ name, autoScore: determineGrade(cell) });
    if (isSolution(cell) || isTask(cell)) {
      const unchanged = meta.checksum !== undefined && meta.checksum === computeChecksum(cell);
      result.comments.push({ name, autoComment: unchanged && !isTask(cell) ? 'No response.' : null });
    }
  }
  return result;
}

/** SaveAutoGrades: the scores and comments go into the context; the gradebook layer stores them. */
export const saveAutoGrades: Step<Pick<AutogradeContext, 'grades'>> = {
  name: 'SaveAutoGrades',
  run(notebook, context) {
    context.grades = collectAutoGrades(notebook);
  },
};
