/**
 * What the feedback steps share for one notebook (nbgrader's `resources`): the gradebook's record
 * of the submitted notebook, handed in by the caller (the gradebook layer reads it), the settings,
 * the log, and what the steps work out for the page.
 */
import type { StepLog } from '../pipeline/step-log.js';
import type { FeedbackSettings } from './settings.js';

/** The gradebook's record of one submitted notebook, as GetGrades reads it. */
export interface NotebookGradebookRecord {
  /** By grade id (grade and task cells): nbgrader's Grade.score and Grade.max_score. */
  grades: Record<string, { score: number; maxScore: number }>;
  /** By grade id (answer and task cells): nbgrader's Comment.comment (the manual one, else the automatic one). */
  comments: Record<string, string | null>;
  /** The notebook's score before the late penalty, and its maximum. */
  score: number;
  maxScore: number;
  /** null when no penalty was assigned (nbgrader stores None). */
  latePenalty: number | null;
}

/** What the page shows about one cell. */
export interface CellFeedback {
  gradeId: string;
  solution: boolean;
  grade: boolean;
  task: boolean;
  score?: { score: number; maxScore: number };
  comment?: string | null;
  /** Set by RemoveHiddenTests. */
  hiddenTestsRemoved?: boolean;
}

/** GetGrades' result: the page's title score and, per cell index, what the page shows. */
export interface NotebookFeedback {
  /** The notebook's score minus the late penalty (nbgrader shows it so). */
  score: number;
  maxScore: number;
  /** 0 when none was assigned. */
  latePenalty: number;
  cells: Array<CellFeedback | undefined>;
}

export interface FeedbackContext {
  /** The notebook's name (file name without `.ipynb`), for messages. */
  notebookId: string;
  gradebook: NotebookGradebookRecord;
  settings: FeedbackSettings;
  log: StepLog;
  /** Set by GetGrades. */
  feedback?: NotebookFeedback;
}
