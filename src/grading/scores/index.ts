/** nbgrader's scoring rules (api.py's computed columns), pure: no database, no files. */
export { gradeScore, type GradeValues } from './grade-score.js';
export { secondsLate } from './seconds-late.js';
export { inGradeIdOrder, inListingOrder } from './grade-order.js';
export {
  maxScoreOf,
  notebookMaxima,
  notebookTotals,
  scoreGrade,
  scoreNotebook,
  sum,
  type CommentRecord,
  type GradeScore,
  type NotebookCells,
  type NotebookMaxima,
  type NotebookScores,
  type NotebookTotals,
  type ScoredCell,
  type StoredComment,
  type StoredGrade,
  type SubmittedNotebookState,
} from './notebook-scores.js';
export {
  submissionPoints,
  submissionTotals,
  type SubmissionPointTotals,
  type SubmissionTotals,
} from './submission-scores.js';
