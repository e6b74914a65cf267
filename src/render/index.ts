/**
 * The render layer: notebooks -> HTML that is safe to show in another person's browser. Pure (no
 * I/O); imports only notebook/ and util/. One renderer for every page that shows a notebook: the
 * student's feedback, and the formgrader next.
 *
 * - renderNotebook / renderCell: each cell's input (highlighted code, markdown with server-side
 *   math, raw text) and outputs (streams, ANSI tracebacks, HTML, markdown, LaTeX, images) as
 *   separately sanitized fragments; cellMarkup lays one out the standard way.
 * - renderMarkdown: a markdown text (a grader's comment), sanitized.
 * - sanitizeHtml: the one sanitizer policy everything passes through.
 * - NOTEBOOK_CSS: the self-contained stylesheet of the fragments.
 * - renderFeedbackPage: the complete feedback page of one graded notebook.
 */
import { markdownToHtml } from './markdown.js';
import { sanitizeHtml, type SanitizedHtml } from './sanitize.js';

export { sanitizeHtml, type SanitizedHtml, type SanitizeOptions } from './sanitize.js';
export {
  cellMarkup,
  notebookLanguage,
  renderCell,
  renderNotebook,
  type CellFrame,
  type RenderedCell,
  type RenderedNotebook,
  type RenderOptions,
} from './cells.js';
export { MIME_PRIORITY } from './outputs.js';
export { NOTEBOOK_CSS } from './styles.js';
export { renderFeedbackPage, type FeedbackCell, type FeedbackPageModel } from './feedback-page.js';
export { scoreText } from './score-text.js';
export {
  renderForGrading,
  type GradingCell,
  type GradingRenderOptions,
  type GradingRole,
} from './grading-notebook.js';

/** A markdown text (e.g. a grader's comment) -> sanitized HTML, with math. */
export function renderMarkdown(text: string): SanitizedHtml {
  return sanitizeHtml(markdownToHtml(text));
}
