/**
 * generate_feedback of one notebook (autograded -> feedback), as nbgrader's GenerateFeedback:
 * GetGrades (the gradebook's scores and comments, handed in through the context like autograde's
 * SourceNotebook), then RemoveHiddenTests unless hidden tests are to be shown. nbgrader's second
 * step, CSSHTMLHeaderPreprocessor, has no counterpart: the page (src/render/feedback-page.ts)
 * carries its own CSS. The course layer runs the steps over the files and renders the page
 * (src/course/write-feedback.ts); the gradebook layer loads the grades
 * (src/gradebook/feedback/).
 */
import type { Step } from '../pipeline/step.js';
import type { FeedbackContext } from './context.js';
import { getGrades } from './get-grades.js';
import { removeHiddenTests } from './remove-hidden-tests.js';
import type { FeedbackSettings } from './settings.js';

export type { CellFeedback, FeedbackContext, NotebookFeedback, NotebookGradebookRecord } from './context.js';
export { DEFAULT_FEEDBACK_SETTINGS, feedbackSettingsFrom, type FeedbackSettings } from './settings.js';
export { FeedbackMissingGradeError, getGrades } from './get-grades.js';
export { removeHiddenTests } from './remove-hidden-tests.js';

/** GetGrades, then RemoveHiddenTests (unless `showHiddenTests`). */
export function feedbackSteps(settings: Pick<FeedbackSettings, 'showHiddenTests'>): Step<FeedbackContext>[] {
  return [getGrades, ...(settings.showHiddenTests ? [] : [removeHiddenTests])];
}
