/**
 * The feedback page of one graded notebook, as the student sees it: our own template with the
 * facts of nbgrader's `feedback` template. The title `NOTEBOOK (Score: x / y)` (after the late
 * penalty), a table of contents with each graded cell's `(Score: a / b)` and each comment, the
 * late-penalty line, then the notebook with a panel around each answer, test and task cell
 * (`Student's answer`, `Grade cell: ID`, `Student's task`, `Score: a / b`, `Comments: ...`).
 *
 * The page is one self-contained file: inline CSS, images only as data: URIs or files beside it,
 * no script at all, and a Content-Security-Policy that would refuse any script or request to
 * another origin even if one got through. Everything between <body> and </body> passes through
 * the sanitizer as a whole, after the cells' own fragments already did.
 */
import type { Notebook } from '../notebook/index.js';
import { cellMarkup, renderNotebook, type RenderedCell, type RenderOptions } from './cells.js';
import { escapeHtml } from './escape.js';
import { markdownToHtml } from './markdown.js';
import { sanitizeHtml } from './sanitize.js';
import { scoreText } from './score-text.js';
import { NOTEBOOK_CSS } from './styles.js';

/** What grading says about one cell of the notebook (nbgrader's GetGrades, per cell). */
export interface FeedbackCell {
  gradeId: string;
  /** The cell's nbgrader role (from its metadata). */
  solution: boolean;
  grade: boolean;
  task: boolean;
  /** Grade and task cells: the score and the points it could have had. */
  score?: { score: number; maxScore: number };
  /** Answer and task cells: the comment (the grader's, else the automatic one), or null for none. */
  comment?: string | null;
  /** The cell's hidden tests (and what they printed) were removed before rendering. */
  hiddenTestsRemoved?: boolean;
}

export interface FeedbackPageModel {
  /** The notebook's name without `.ipynb`. */
  notebookName: string;
  notebook: Notebook;
  /** Per cell of `notebook` (same index): its grading facts, or undefined for an ungraded cell. */
  cells: ReadonlyArray<FeedbackCell | undefined>;
  /** The notebook's score after the late penalty, as nbgrader shows it. */
  score: number;
  maxScore: number;
  /** 0 when there is none. */
  latePenalty: number;
  /** The language of code cells (default: the notebook's). */
  language?: string;
  /**
   * The files written beside the page (`jupyter.png` next to `problem1.html`), as relative POSIX
   * paths: the only relative addresses the page keeps. Default: every safe relative path.
   */
  filesBeside?: ReadonlySet<string>;
}

const FEEDBACK_CSS = `
body { margin: 0; background: #f5f5f5; }
.nb-feedback { max-width: 1100px; margin: 1em auto; background: #fff; border: 1px solid #ddd; border-radius: 4px; }
.nb-feedback-header { padding: 0.8em 1.2em; background: #f5f5f5; border-bottom: 1px solid #ddd; }
.nb-feedback-title { margin: 0 0 0.4em; font-size: 1.25em; }
.nb-toc ol { margin: 0; padding-left: 1.6em; }
.nb-late-penalty { color: #d2413a; }
.nb-feedback .nb-notebook { padding: 1em 1.2em; }
.nb-grade-panel { border: 1px solid #337ab7; border-radius: 4px; }
.nb-grade-heading { display: flex; justify-content: space-between; gap: 1em; padding: 0.4em 0.6em;
  background: #337ab7; color: #fff; }
.nb-grade-heading a { color: #dde8f3; }
.nb-grade-heading code { background: rgba(255,255,255,0.2); padding: 0 0.25em; border-radius: 3px; }
.nb-grade-body { padding: 0.4em; }
.nb-grade-body .nb-source { background: #fff; border: none; }
.nb-grade-comment { padding: 0.4em 0.6em; background: #f5f5f5; border-top: 1px solid #ddd; }
.nb-grade-comment p { display: inline; }
.nb-hidden-tests-note { margin: 0.3em 0 0 7.5em; color: #6a737d; font-style: italic; }
`;

/** No script, no plugin, nothing from another origin; images from data: URIs or beside the page. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** The table-of-contents label of a graded cell, as nbgrader's template words it. */
function tocLabel(cellType: string, cell: FeedbackCell): string | null {
  if (cell.grade && !cell.solution) return 'Test cell';
  if (cellType === 'code' && cell.grade) return 'Coding free-response';
  if (cellType === 'markdown' && cell.grade) return 'Written response';
  if (cellType === 'markdown' && cell.task) return 'Task';
  return null;
}

const scorePair = (score: { score: number; maxScore: number } | undefined) =>
  score ? `${scoreText(score.score)} / ${scoreText(score.maxScore)}` : '? / ?';

function tableOfContents(model: FeedbackPageModel): string {
  const items: string[] = [];
  model.cells.forEach((cell, index) => {
    if (!cell) return;
    const label = tocLabel(model.notebook.cells[index]?.cell_type ?? '', cell);
    const id = escapeHtml(cell.gradeId);
    if (label) items.push(`<li><a href="#grade-${id}">${label}</a> (Score: ${scorePair(cell.score)})</li>`);
    if (cell.comment) items.push(`<li><a href="#comment-${id}">Comment</a></li>`);
  });
  if (model.latePenalty > 0)
    items.push(
      `<li class="nb-late-penalty">Late submission penalty (Score: -${scoreText(model.latePenalty)})</li>`,
    );
  return `<nav class="nb-toc"><ol>${items.join('')}</ol></nav>`;
}

function panelHeading(cell: FeedbackCell): string {
  const top = '<a class="nb-top-link" href="#top">(Top)</a>';
  const score = `<span class="nb-grade-score">Score: ${scorePair(cell.score)} ${top}</span>`;
  const label = (text: string) => `<span class="nb-grade-label">${text}</span>`;
  let heading: string;
  if (cell.solution) heading = label("Student's answer") + (cell.grade ? score : `<span>${top}</span>`);
  else if (cell.task) heading = label("Student's task") + score;
  else heading = label(`Grade cell: <code>${escapeHtml(cell.gradeId)}</code>`) + score;
  return `<div class="nb-grade-heading">${heading}</div>`;
}

/** A graded cell: its input in a panel with the heading and, for answers and tasks, the comment. */
function gradedCell(rendered: RenderedCell, cell: FeedbackCell, options: RenderOptions): string {
  const id = escapeHtml(cell.gradeId);
  const comment =
    (cell.solution || cell.task) && cell.comment
      ? `<div class="nb-grade-comment"><b>Comments:</b> ${sanitizeHtml(markdownToHtml(cell.comment), options)}</div>`
      : '';
  // Anchors as nbgrader's: #comment-ID at the panel of an answer or task, #grade-ID at a graded cell.
  const anchor = cell.solution || cell.task ? ` id="comment-${id}"` : '';
  const panel = `<div class="nb-grade-panel"${anchor}>${panelHeading(cell)}<div class="nb-grade-body">${rendered.input}</div>${comment}</div>`;
  return cellMarkup(rendered, {
    id: cell.grade || cell.task ? `grade-${cell.gradeId}` : undefined,
    className: 'nb-graded-cell',
    input: panel,
    after: cell.hiddenTestsRemoved
      ? '<p class="nb-hidden-tests-note">Hidden tests of this cell, and what they printed, are not shown.</p>'
      : undefined,
  });
}

/** The complete HTML document (UTF-8). */
export function renderFeedbackPage(model: FeedbackPageModel): string {
  const files = model.filesBeside;
  const options: RenderOptions = {
    language: model.language,
    relativeUrl: files ? (path) => (files.has(path.replace(/^(\.\/)+/, '')) ? path : null) : undefined,
  };
  const { cells } = renderNotebook(model.notebook, options);
  const body = cells
    .map((rendered) => {
      const cell = model.cells[rendered.index];
      const framed = cell && (cell.solution || cell.grade || cell.task);
      return framed ? gradedCell(rendered, cell, options) : cellMarkup(rendered);
    })
    .join('\n');
  const title = `${model.notebookName} (Score: ${scoreText(model.score)} / ${scoreText(model.maxScore)})`;
  const main = sanitizeHtml(
    [
      '<main class="nb-feedback">',
      '<header class="nb-feedback-header" id="top">',
      `<h1 class="nb-feedback-title">${escapeHtml(title)}</h1>`,
      tableOfContents(model),
      '</header>',
      `<div class="nb-notebook">${body}</div>`,
      '</main>',
    ].join('\n'),
  );
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(model.notebookName)}</title>`,
    `<style>${NOTEBOOK_CSS}${FEEDBACK_CSS}</style>`,
    '</head>',
    '<body>',
    main,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
