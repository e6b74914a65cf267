/**
 * nbgrader's totals of one submitted assignment (api.py's SubmittedAssignment column properties):
 * the sums over its submitted notebooks, the late penalty, and the score after it.
 */
import { sum, type NotebookTotals } from './notebook-scores.js';

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

/** Totals over the submitted notebooks, added in the order given. */
export function submissionTotals(notebooks: NotebookTotals[]): SubmissionTotals {
  const score = sum(notebooks.map((n) => n.score));
  const latePenalty = sum(notebooks.map((n) => n.latePenalty ?? 0));
  return {
    score,
    codeScore: sum(notebooks.map((n) => n.codeScore)),
    writtenScore: sum(notebooks.map((n) => n.writtenScore)),
    taskScore: sum(notebooks.map((n) => n.taskScore)),
    latePenalty,
    scoreAfterPenalty: Math.max(0, score - latePenalty),
    needsManualGrade: notebooks.some((n) => n.needsManualGrade),
  };
}
