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

/** Totals over the submitted notebooks, each sum added in the order given, starting at 0. */
export function submissionTotals(notebooks: NotebookTotals[]): SubmissionTotals {
  let score = 0;
  let codeScore = 0;
  let writtenScore = 0;
  let taskScore = 0;
  let latePenalty = 0;
  let needsManualGrade = false;
  for (const n of notebooks) {
    score += n.score;
    codeScore += n.codeScore;
    writtenScore += n.writtenScore;
    taskScore += n.taskScore;
    latePenalty += n.latePenalty ?? 0;
    needsManualGrade ||= n.needsManualGrade;
  }
  return {
    score,
    codeScore,
    writtenScore,
    taskScore,
    latePenalty,
    scoreAfterPenalty: Math.max(0, score - latePenalty),
    needsManualGrade,
  };
}
