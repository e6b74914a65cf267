/**
 * Grading by question: one graded cell of a notebook for every student who submitted it, one after
 * another (the same boxes as the grading page, each panel saving for its own student). Keys as on
 * the grading page; Ctrl+. / Ctrl+, move to the same box of the next / previous student, Ctrl+Shift+.
 * to the next one that needs manual grading, onto the next / previous page past this page's ends
 * (a page of QUESTION_PAGE_SIZE students: ?page=N).
 */
import type { QuestionView } from '../../hub/courses/formgrader-views.js';
import type { HubUrls } from '../../hub/urls.js';
import { cellMarkup } from '../../render/index.js';
import { html, page, rawHtml, type PageUser } from '../layout.js';
import { GRADING_SHORTCUTS, gradingPanel } from './grading-page.js';
import { gradingScriptPath, gradingUrls, notebookStylesheetPath } from './grading-urls.js';

export function questionPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: QuestionView;
}): string {
  const { urls, view } = options;
  const links = gradingUrls(urls, view.course.name, view.assignment);
  const pageUrl = (page: number) =>
    page >= 1 && page <= view.pageCount ? `${links.question(view.notebook, view.cell)}?page=${page}` : '';
  const previous = pageUrl(view.page - 1);
  const next = pageUrl(view.page + 1);
  const pager =
    view.pageCount > 1
      ? html`<nav class="pager">
          ${previous ? html`<a rel="prev" href="${previous}">← Previous page</a>` : ''}
          <span>Page ${view.page} of ${view.pageCount}</span>
          ${next ? html`<a rel="next" href="${next}">Next page →</a>` : ''}
        </nav>`
      : '';
  const entries = view.entries.map((entry) => {
    const panel = gradingPanel(
      entry.cell,
      entry.grading,
      entry.fields,
      links.saveApi(entry.student.key, view.notebook),
    );
    return html`<article class="question-entry" data-student="${entry.student.key}"
      data-needs="${entry.needsManualGrade ? 'yes' : 'no'}">
      <h2><a href="${links.submission(entry.student.key, view.notebook)}">${entry.student.label}</a></h2>
      ${rawHtml(cellMarkup(entry.cell, { className: 'nb-graded-cell', after: panel?.value }))}
    </article>`;
  });
  return page({
    urls,
    title: `${view.assignment} / ${view.notebook} / ${view.cell}`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<link rel="stylesheet" href="${notebookStylesheetPath(urls)}" />
      <div id="grading-page" data-mode="question" data-save-url="" data-previous="${previous}" data-next="${next}"
        data-next-needing="${next}" data-list="${links.list}">
      <p><a href="${links.list}">← Submissions of ${view.assignment}</a></p>
      <h1>${view.assignment} / ${view.notebook}: <code>${view.cell}</code> for every student</h1>
      <p class="muted">${view.studentCount} students · ${view.entries.filter((e) => e.needsManualGrade).length} on this page need manual grading
        ${view.anonymous ? ' · anonymous grading' : ''}</p>
      <details class="shortcuts"><summary>Keyboard shortcuts</summary><table>
        ${GRADING_SHORTCUTS.filter(([key]) => key !== 'Ctrl+Shift+F').map(
          ([key, what]) => html`<tr><td><kbd>${key}</kbd></td><td>${what}</td></tr>`,
        )}
      </table></details>
      ${pager}
      <div class="nb-notebook grading-notebook">${entries}</div>
      ${pager}
      </div>
      <script src="${gradingScriptPath(urls)}" defer></script>`,
  });
}
