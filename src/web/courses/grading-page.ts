/**
 * The page that grades one student's notebook (nbgrader's formgrader page): the autograded
 * notebook in the renderer's grading mode (sanitized fragments; hidden tests marked) and, at each
 * graded cell, the automatic score, a manual score bounded by the cell's points with full / no
 * credit buttons, extra credit and a markdown comment; the notebook's flag; previous / next /
 * next needing grading. The script (./grading-script.ts) saves each field as it changes and
 * gives nbgrader's keyboard map. Each input carries the version of its field it was rendered
 * with, which a save sends back, so a save over someone else's newer value is told.
 */
import type { CellGrading, GradingView } from '../../hub/courses/formgrader-views.js';
import type { FieldState } from '../../hub/courses/grading-saves.js';
import type { HubUrls } from '../../hub/urls.js';
import { cellMarkup, scoreText, type GradingCell } from '../../render/index.js';
import { html, page, rawHtml, type PageUser, type SafeHtml } from '../layout.js';
import { gradingScriptPath, gradingUrls, notebookStylesheetPath } from './grading-urls.js';

/** nbgrader's keyboard shortcuts, as the page's help lists them. */
export const GRADING_SHORTCUTS: [string, string][] = [
  ['Tab', 'Move to the next score or comment box'],
  ['Shift+Tab', 'Move to the previous score or comment box'],
  ['Escape', 'Leave the box (its value is saved)'],
  ['Enter', 'Go back to the last box'],
  ['Ctrl+.', 'The same box of the next student'],
  ['Ctrl+,', 'The same box of the previous student'],
  ['Ctrl+Shift+.', 'The next student whose notebook needs manual grading'],
  ['Ctrl+Shift+F', 'Flag or unflag this notebook'],
];

const number = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

function versionOf(fields: FieldState[], cell: string, field: string): number {
  return fields.find((f) => f.cell === cell && f.field === field)?.version ?? 0;
}

/**
 * The boxes of one graded cell. `saveUrl`: where this panel saves, when not the page's (grading
 * by question has a student per panel).
 */
export function gradingPanel(
  cell: GradingCell,
  grading: CellGrading | undefined,
  fields: FieldState[],
  saveUrl?: string,
): SafeHtml | null {
  const id = cell.role?.gradeId;
  if (!id || !grading) return null;
  const { grade, comment } = grading;
  const version = (field: string) => versionOf(fields, id, field);
  const max = scoreText(grading.maxScore);
  return html`<section class="grading" data-cell="${id}" data-max="${grading.maxScore}" data-save-url="${saveUrl ?? ''}">
    <div class="grading-title"><code>${id}</code>
      ${cell.role!.solution ? "Student's answer" : cell.role!.task ? "Student's task" : 'Tests'}
      ${grade?.needsManualGrade ? html`<span class="needs">needs manual grading</span>` : ''}</div>
    ${
      grade
        ? html`<div class="grading-row">
            <span class="auto-score">Autograded: ${grade.autoScore === null ? '—' : `${scoreText(grade.autoScore)} / ${max}`}</span>
            <label>Manual score <input type="number" class="tabbable score" data-field="manual_score"
              data-version="${version('manual_score')}" min="0" max="${grading.maxScore}" step="any"
              value="${number(grade.manualScore)}" aria-label="Manual score of ${id}" /> / ${max}</label>
            <button type="button" class="secondary full-credit" tabindex="-1">Full credit</button>
            <button type="button" class="secondary no-credit" tabindex="-1">No credit</button>
            <label>Extra credit <input type="number" class="tabbable extra-credit" data-field="extra_credit"
              data-version="${version('extra_credit')}" min="0" step="any" value="${number(grade.extraCredit)}"
              aria-label="Extra credit of ${id}" /></label>
          </div>`
        : ''
    }
    ${
      comment
        ? html`<label class="comment-label">Comment (markdown)
            <textarea class="tabbable comment" data-field="comment" data-version="${version('comment')}" rows="3"
              aria-label="Comment on ${id}" placeholder="${comment.autoComment ?? ''}">${comment.manualComment ?? ''}</textarea></label>`
        : ''
    }
    <span class="save-state" role="status"></span>
    <div class="conflict" role="alert" hidden></div>
  </section>`;
}

export function gradingPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: GradingView;
}): string {
  const { urls, view } = options;
  const links = gradingUrls(urls, view.course.name, view.assignment);
  const to = (key: string | null) => (key === null ? '' : links.submission(key, view.notebook));
  const cells = view.cells.map((cell) => {
    const panel = gradingPanel(cell, view.grading[cell.role?.gradeId ?? ''], view.fields);
    return rawHtml(
      cellMarkup(cell, {
        id: cell.role?.gradeId ? `cell-${cell.role.gradeId}` : undefined,
        className: panel ? 'nb-graded-cell' : undefined,
        after: panel?.value,
      }),
    );
  });
  const flagVersion = versionOf(view.fields, '', 'flag');
  return page({
    urls,
    title: `${view.assignment} / ${view.notebook} · ${view.student.label}`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<link rel="stylesheet" href="${notebookStylesheetPath(urls)}" />
      <div id="grading-page" data-save-url="${links.saveApi(view.student.key, view.notebook)}"
        data-previous="${to(view.previous)}" data-next="${to(view.next)}"
        data-next-needing="${to(view.nextNeedingGrading)}" data-list="${links.list}">
      <p><a href="${links.list}">← Submissions of ${view.assignment}</a></p>
      <h1>${view.assignment} / ${view.notebook}: <span id="student" data-student="${view.student.key}">${view.student.label}</span></h1>
      <p class="muted">Submitted ${view.timestamp ?? '—'} UTC${view.late ? html` <strong class="late">late</strong>` : ''} ·
        score <span id="notebook-score">${scoreText(view.score)} / ${scoreText(view.maxScore)}</span>
        ${view.anonymous ? ' · anonymous grading' : ''}</p>
      <nav class="grading-nav">
        ${view.previous ? html`<a id="previous" href="${to(view.previous)}">← Previous student</a>` : html`<span class="muted">first</span>`}
        ${view.next ? html`<a id="next" href="${to(view.next)}">Next student →</a>` : html`<span class="muted">last</span>`}
        ${view.nextNeedingGrading ? html`<a id="next-needing" href="${to(view.nextNeedingGrading)}">Next needing grading ⇥</a>` : ''}
        <button type="button" id="flag" class="secondary" data-field="flag" data-version="${flagVersion}"
          data-flagged="${view.flagged ? 'yes' : 'no'}" tabindex="-1">${view.flagged ? 'Unflag' : 'Flag'}</button>
        <span id="flag-state" role="status"></span>
      </nav>
      <details class="shortcuts"><summary>Keyboard shortcuts</summary><table>
        ${GRADING_SHORTCUTS.map(([key, what]) => html`<tr><td><kbd>${key}</kbd></td><td>${what}</td></tr>`)}
      </table></details>
      <div class="nb-notebook grading-notebook">${cells}</div>
      </div>
      <script src="${gradingScriptPath(urls)}" defer></script>`,
  });
}

/** The grading page's own styles, served with the notebook stylesheet. */
export const GRADING_CSS = `
.grading { margin: 0.4em 0 0.8em 7.5em; padding: 0.6em 0.8em; background: #eef6ff; border: 1px solid #54aeff;
  border-radius: 6px; position: relative; z-index: 1; }
.grading-title { font-weight: 600; margin-bottom: 0.3em; }
.grading .needs { color: #9a6700; font-weight: normal; margin-left: 0.6em; }
.grading-row { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: center; }
.grading label { display: inline-block; margin: 0.2em 0; font-weight: normal; }
.grading input[type=number] { width: 6em; display: inline-block; }
.grading button { margin-top: 0; padding: 0.15rem 0.6rem; }
.grading .comment-label { display: block; }
.grading textarea { width: 100%; font: inherit; }
.grading .save-state { color: #1a7f37; font-size: 0.9em; }
.grading .save-state.error { color: #cf222e; }
.grading .conflict { margin-top: 0.4em; padding: 0.4em 0.6em; background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; }
.grading-nav { display: flex; gap: 1em; align-items: center; margin-bottom: 0.6em; }
.grading-nav button { margin-top: 0; }
.late { color: #cf222e; }
main:has(#grading-page) { max-width: 1200px; }
`;
