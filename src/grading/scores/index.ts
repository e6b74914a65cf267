/** nbgrader's scoring rules (api.py's computed columns), pure: no database, no files. */
export { gradeScore, type GradeValues } from './grade-score.js';
export { secondsLate } from './seconds-late.js';
export {
  inGradeIdOrder,
  maxScoreOf,
  scoreNotebook,
  sum,
  type CommentRecord,
  type GradeScore,
  type NotebookCells,
  type NotebookScores,
  type ScoredCell,
  type StoredComment,
  type StoredGrade,
} from './notebook-scores.js';
export { submissionTotals, type SubmissionTotals } from './submission-scores.js';
