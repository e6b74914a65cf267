/**
 * Grading by question: one graded cell of a notebook for every student who submitted it, one after
 * another (the same boxes as the grading page, each panel saving for its own student). Keys as on
 * the grading page; Ctrl+. / Ctrl+, move to the same box of the next / previous student on this
 * page, Ctrl+Shift+. to the next one that needs manual grading.
 */
import type { QuestionView } from '../../hub/courses/formgrader.js';
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
      <div id="grading-page" data-mode="question" data-save-url="" data-previous="" data-next=""
        data-next-needing="" data-list="${links.list}">
      <p><a href="${links.list}">← Submissions of ${view.assignment}</a></p>
      <h1>${view.assignment} / ${view.notebook}: <code>${view.cell}</code> for every student</h1>
      <p class="muted">${view.entries.length} students · ${view.entries.filter((e) => e.needsManualGrade).length} need manual grading
        ${view.anonymous ? ' · anonymous grading' : ''}</p>
      <details class="shortcuts"><summary>Keyboard shortcuts</summary><table>
        ${GRADING_SHORTCUTS.filter(([key]) => key !== 'Ctrl+Shift+F').map(
          ([key, what]) => html`<tr><td><kbd>${key}</kbd></td><td>${what}</td></tr>`,
        )}
      </table></details>
      <div class="nb-notebook grading-notebook">${entries}</div>
      </div>
      <script src="${gradingScriptPath(urls)}" defer></script>`,
  });
}
