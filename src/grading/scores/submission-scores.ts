/**
 * nbgrader's totals of one submitted assignment (api.py's SubmittedAssignment column properties):
 * the sums over its submitted notebooks, the late penalty, and the score after it.
 */
import type { NotebookTotals } from './notebook-scores.js';

export interface SubmissionTotals {
  score: number;
  codeScore: number;
  writtenScore: number;
  taskScore: number;
  latePenalty: number;
  /** The score less the late penalty, never below 0. */
  scoreAfterPenalty: number;
  needsManualGrade: boolean;
}

/** The points of a submission: its score, late penalty, the score after it, and the manual-grading flag. */
export type SubmissionPointTotals = Pick<
  SubmissionTotals,
  'score' | 'latePenalty' | 'scoreAfterPenalty' | 'needsManualGrade'
>;

/** submissionTotals without the sums by kind of cell, for reads that have only the points. */
export function submissionPoints(
  notebooks: Pick<NotebookTotals, 'score' | 'latePenalty' | 'needsManualGrade'>[],
): SubmissionPointTotals {
  let score = 0;
  let latePenalty = 0;
  let needsManualGrade = false;
  for (const n of notebooks) {
    score += n.score;
    latePenalty += n.latePenalty ?? 0;
    needsManualGrade ||= n.needsManualGrade;
  }
  return { score, latePenalty, scoreAfterPenalty: Math.max(0, score - latePenalty), needsManualGrade };
}

/** Totals over the submitted notebooks, each sum added in the order given, starting at 0. */
export function submissionTotals(notebooks: NotebookTotals[]): SubmissionTotals {
  let codeScore = 0;
  let writtenScore = 0;
  let taskScore = 0;
  for (const n of notebooks) {
    codeScore += n.codeScore;
    writtenScore += n.writtenScore;
    taskScore += n.taskScore;
  }
  return { ...submissionPoints(notebooks), codeScore, writtenScore, taskScore };
}
