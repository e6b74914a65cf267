/**
 * The instructor's preview of an assignment's student version: each notebook of
 * release/ASSIGNMENT/ rendered by the one sanitizing renderer (src/render/), with a note under each
 * nbgrader cell saying what the student will find there (an answer to write, read-only tests, a
 * task). The page is the hub's own (layout, CSP with no inline style: the notebook stylesheet is a
 * file, ./course-urls.ts notebookCssPath); the notebook's HTML is sanitized fragments only.
 */
import type { ReleasePreview } from '../../exchange/preview.js';
import type { HubUrls } from '../../hub/urls.js';
import { isGrade, isLocked, isSolution, isTask, nbgraderMetadata, type Cell } from '../../notebook/index.js';
import { cellMarkup, renderNotebook } from '../../render/index.js';
import { html, page, rawHtml, type PageUser, type SafeHtml } from '../layout.js';
import { courseUrls, notebookCssPath } from './course-urls.js';

/** What the student finds in an nbgrader cell, said under it; undefined for an ordinary cell. */
function cellNote(cell: Cell): SafeHtml | undefined {
  const meta = nbgraderMetadata(cell);
  if (!meta) return undefined;
  const id = typeof meta.grade_id === 'string' ? meta.grade_id : '';
  const points = typeof meta.points === 'number' ? meta.points : 0;
  const graded = isGrade(cell) ? ` · ${points} point${points === 1 ? '' : 's'}` : '';
  const what = isSolution(cell)
    ? 'Answer: the student writes here'
    : isTask(cell)
      ? 'Task'
      : isGrade(cell)
        ? 'Autograder tests (read-only; hidden tests were removed)'
        : isLocked(cell)
          ? 'Read-only'
          : undefined;
  if (!what) return undefined;
  return html`<p class="preview-note muted" data-grade-id="${id}">${what}${id ? html` · <code>${id}</code>` : ''}${graded}</p>`;
}

export function previewPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  course: { name: string; title: string };
  preview: ReleasePreview;
}): string {
  const { urls, course, preview } = options;
  const notebooks = preview.notebooks.map(({ path, notebook }) => {
    const rendered = renderNotebook(notebook, { relativeUrl: () => null });
    const cells = rendered.cells.map((cell) => {
      const note = cellNote(notebook.cells[cell.index]!);
      return cellMarkup(cell, note ? { after: note.value } : {});
    });
    return html`<section class="card preview-notebook" data-notebook="${path}">
      <h2>${path}</h2>
      <div class="nb-notebook">${rawHtml(cells.join(''))}</div>
    </section>`;
  });
  return page({
    urls,
    title: `${preview.assignment} as students get it`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<link rel="stylesheet" href="${notebookCssPath(urls)}" />
      <h1>${preview.assignment} <span class="muted">as students get it</span></h1>
      <p class="muted">
        <a href="${courseUrls(urls, course.name).page}">${course.title}</a> · release/${preview.assignment}/ of the
        course directory: what Release hands out and students fetch.
        ${preview.files.length > 0 ? html`Other files: ${preview.files.join(', ')}.` : ''}
      </p>
      ${notebooks}`,
  });
}
