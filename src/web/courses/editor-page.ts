/**
 * The assignment editor's pages: the source notebooks of an assignment, and one notebook rendered
 * by the one renderer (sanitized fragments) with, under each cell, the controls of nbgrader's
 * "Create Assignment" toolbar: the cell type, the grade id and the points. One plain form posts
 * every cell's marks with the version of the file the page was made from; no script is needed.
 */
import type { EditorNotebook } from '../../hub/courses/assignment-editor.js';
import type { HubUrls } from '../../hub/urls.js';
import {
  isGradedType,
  MARK_LABELS,
  markTypesFor,
  type CellMarks,
  type Notebook,
} from '../../notebook/index.js';
import { cellMarkup, renderNotebook } from '../../render/index.js';
import { courseUrls, type Flash } from './course-urls.js';
import { editorUrls } from './editor-urls.js';
import { notebookStylesheetPath } from './grading-urls.js';
import { csrfField, html, page, rawHtml, type PageUser, type SafeHtml } from '../layout.js';

interface Common {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  flash?: Flash;
}

export function editorListPage(
  options: Common & { course: string; assignment: string; notebooks: string[] },
): string {
  const { urls, course, assignment } = options;
  const links = editorUrls(urls, course, assignment);
  return page({
    urls,
    title: `Edit ${assignment}`,
    user: options.user,
    csrfToken: options.csrfToken,
    flash: options.flash,
    body: html`<p><a href="${courseUrls(urls, course).page}">← ${course}</a></p>
      <h1>Source notebooks of ${assignment}</h1>
      ${
        options.notebooks.length === 0
          ? html`<p class="muted">source/${assignment}/ holds no notebook.</p>`
          : html`<ul id="source-notebooks">${options.notebooks.map(
              (name) => html`<li><a href="${links.notebook(name)}">${name}</a></li>`,
            )}</ul>`
      }`,
  });
}

/** A points box's value: a number as typed, '' for none. */
const pointsText = (points: CellMarks['points']) => (points === undefined ? '' : String(points));

function cellPanel(
  index: number,
  cellType: Notebook['cells'][number]['cell_type'],
  marks: CellMarks,
): SafeHtml {
  const types = markTypesFor(cellType);
  if (!types.includes(marks.type)) types.push(marks.type);
  return html`<fieldset class="marks" data-index="${index}">
    <label>Cell ${index + 1}
      <select name="type-${index}" aria-label="nbgrader cell type of cell ${index + 1}">
        ${types.map(
          (type) =>
            html`<option value="${type}"${marks.type === type ? rawHtml(' selected') : ''}>${MARK_LABELS[type]}</option>`,
        )}
      </select></label>
    <label>ID <input type="text" name="id-${index}" value="${marks.gradeId}" aria-label="grade id of cell ${index + 1}" /></label>
    <label>Points <input type="text" inputmode="decimal" name="points-${index}" value="${
      isGradedType(marks.type) ? pointsText(marks.points) : ''
    }" aria-label="points of cell ${index + 1}" /></label>
  </fieldset>`;
}

export function editorPage(
  options: Common & {
    view: EditorNotebook;
    /** The marks to show (the file's, or those just posted when they were refused). */
    marks: CellMarks[];
    /** A generated id for cells that have none (nbgrader's toolbar makes `cell-` + 16 hex digits). */
    newId: () => string;
  },
): string {
  const { urls, view } = options;
  const links = editorUrls(urls, view.course.name, view.assignment);
  const rendered = renderNotebook(view.notebook, { relativeUrl: () => null });
  const total = options.marks
    .filter((m) => isGradedType(m.type) && typeof m.points === 'number')
    .reduce((sum, m) => sum + (m.points as number), 0);
  const cells = rendered.cells.map((cell, index) => {
    const marks = options.marks[index]!;
    const shown = marks.gradeId === '' ? { ...marks, gradeId: options.newId() } : marks;
    return rawHtml(cellMarkup(cell, { after: cellPanel(index, cell.cellType, shown).value }));
  });
  return page({
    urls,
    title: `Edit ${view.label}`,
    user: options.user,
    csrfToken: options.csrfToken,
    flash: options.flash,
    body: html`<link rel="stylesheet" href="${notebookStylesheetPath(urls)}" />
      <p><a href="${links.list}">← Source notebooks of ${view.assignment}</a></p>
      <h1>${view.label}</h1>
      <p class="muted">Mark cells as nbgrader's Create Assignment toolbar does. Total points: <span id="total-points">${total}</span></p>
      <form method="post" action="${links.notebook(view.name)}" id="assignment-editor">
        ${csrfField(options.csrfToken)}
        <input type="hidden" name="version" value="${view.version}" />
        <input type="hidden" name="cells" value="${rendered.cells.length}" />
        <div class="nb-notebook editor-notebook">${cells}</div>
        <p><button type="submit" id="save-marks">Save to source/${view.assignment}/</button></p>
      </form>`,
  });
}
