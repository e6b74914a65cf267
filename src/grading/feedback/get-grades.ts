/**
 * GetGrades: the gradebook's scores and comments onto the notebook's cells, and the notebook's
 * title score (its score minus the late penalty) and penalty, as nbgrader 0.9.5's GetGrades reads
 * them: answer cells get their comment, grade cells their score and points, task cells both. A
 * graded cell the gradebook does not know fails the notebook, as nbgrader's MissingEntry does.
 * Nothing is written into the notebook's metadata: the page reads the context, so a student's
 * own metadata can never pose as a grade.
 */
import { isGrade, isSolution, isTask, pythonFloatRepr } from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { cellStep, gradeIdOf } from '../pipeline/step.js';
import type { CellFeedback, FeedbackContext } from './context.js';

export class FeedbackMissingGradeError extends CoursehubError {}

function missing(context: FeedbackContext, what: string, gradeId: string): FeedbackMissingGradeError {
  return new FeedbackMissingGradeError(
    `No ${what} for cell '${gradeId}' of notebook '${context.notebookId}' in the gradebook.`,
    {
      hint: 'The autograded notebook and the gradebook disagree: autograde the submission again (with --force).',
    },
  );
}

export const getGrades = cellStep<FeedbackContext>(
  'GetGrades',
  (cell, index, context, notebook) => {
    const feedback = (context.feedback ??= {
      score: 0,
      maxScore: 0,
      latePenalty: 0,
      cells: notebook.cells.map(() => undefined),
    });
    const gradeId = gradeIdOf(cell);
    const [solution, grade, task] = [isSolution(cell), isGrade(cell), isTask(cell)];
    if (gradeId === undefined || !(solution || grade || task)) return;
    const entry: CellFeedback = { gradeId, solution, grade, task };
    if (solution || task) {
      if (!(gradeId in context.gradebook.comments)) throw missing(context, 'comment', gradeId);
      entry.comment = context.gradebook.comments[gradeId] ?? null;
    }
    if (grade || task) {
      const recorded = context.gradebook.grades[gradeId];
      if (!recorded) throw missing(context, 'grade', gradeId);
      entry.score = { score: recorded.score, maxScore: recorded.maxScore };
    }
    feedback.cells[index] = entry;
  },
  (notebook, context) => {
    const { score, maxScore, latePenalty } = context.gradebook;
    context.feedback ??= {
      score: 0,
      maxScore: 0,
      latePenalty: 0,
      cells: notebook.cells.map(() => undefined),
    };
    if (latePenalty !== null) context.log.warn(`Late submission penalty: ${pythonFloatRepr(latePenalty)}`);
    context.feedback.score = score - (latePenalty ?? 0);
    context.feedback.maxScore = maxScore;
    context.feedback.latePenalty = latePenalty ?? 0;
  },
);
