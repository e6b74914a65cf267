/**
 * The course gradebook, for its instructors and graders: students x assignments (score after the
 * late penalty / maximum, late and extension marks) with each student's total, links down to a
 * student's assignment, to each assignment's analytics and to the two CSV exports; and the
 * drill-down: one student's assignment by notebook and cell (auto, manual, extra credit, score,
 * comments), with the time stamp, due date, extension and late penalty. Plain HTML: no script.
 */
import {
  GRADEBOOK_PAGE_SIZE,
  type GradebookOverview,
  type StudentAssignmentView,
} from '../../hub/courses/gradebook-reports.js';
import type { HubUrls } from '../../hub/urls.js';
import { scoreText } from '../../render/index.js';
import { html, page, type PageUser } from '../layout.js';
import { courseUrls } from './course-urls.js';
import { gradebookUrls } from './gradebook-urls.js';

const anonymityNote = (anonymous: boolean) =>
  html`<p id="anonymity" data-anonymous="${anonymous ? 'yes' : 'no'}" class="muted">${
    anonymous
      ? 'Anonymous grading is on in this course: students are shown by their pseudonym, here and in the exports.'
      : 'Students are shown by name.'
  }</p>`;

const optional = (value: number | null) => (value === null ? '' : scoreText(value));

/** "2 h 5 min" */
function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  return [days && `${days} d`, hours && `${hours} h`, (rest || (!days && !hours)) && `${rest} min`]
    .filter(Boolean)
    .join(' ');
}

export function gradebookPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: GradebookOverview;
}): string {
  const { urls, view } = options;
  const links = gradebookUrls(urls, view.course.name);
  const header = view.assignments.map(
    (a) =>
      html`<th scope="col" data-assignment="${a.name}">${a.name}<br /><span class="muted">/ ${scoreText(a.maxScore)} · ${a.submitted} in${a.duedate ? html` · due ${a.duedate}` : ''}</span></th>`,
  );
  const rows = view.rows.map(
    (row) => html`<tr class="student" data-student="${row.key}">
      <th scope="row">${row.label}</th>
      ${view.assignments.map((a) => {
        const result = row.results[a.name];
        if (!result) return html`<td class="result missing" data-assignment="${a.name}">—</td>`;
        return html`<td class="result" data-assignment="${a.name}" data-score="${result.score}">
          <a href="${links.student(row.key, a.name)}">${scoreText(result.score)}</a>
          ${result.secondsLate > 0 ? html` <strong class="late" title="submitted ${duration(result.secondsLate)} late">late</strong>` : ''}
          ${result.latePenalty > 0 ? html` <span class="penalty">−${scoreText(result.latePenalty)}</span>` : ''}
          ${result.withinExtension ? html` <span class="extension">extension</span>` : ''}
          ${result.needsManualGrade ? html` <span class="needs muted">to grade</span>` : ''}
        </td>`;
      })}
      <td class="total" data-total="${row.total}">${scoreText(row.total)} / ${scoreText(view.maxScore)}</td>
    </tr>`,
  );
  const first = (view.page - 1) * GRADEBOOK_PAGE_SIZE;
  const pageLink = (n: number, label: string) =>
    n === view.page
      ? html`<strong aria-current="page">${label}</strong>`
      : html`<a href="${links.overview}?page=${n}" data-page="${n}">${label}</a>`;
  const pager =
    view.pages <= 1
      ? html``
      : html`<nav id="pages" aria-label="Pages of students">Students ${first + 1}–${first + view.rows.length} of ${view.studentCount}:
          ${view.page > 1 ? pageLink(view.page - 1, '← previous') : ''}
          ${Array.from({ length: view.pages }, (_, i) => pageLink(i + 1, String(i + 1)))}
          ${view.page < view.pages ? pageLink(view.page + 1, 'next →') : ''}</nav>`;
  return page({
    urls,
    title: `Gradebook of ${view.course.title}`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<p><a href="${courseUrls(urls, view.course.name).page}">← ${view.course.title}</a></p>
      <h1>Gradebook</h1>
      ${anonymityNote(view.anonymous)}
      <p>
        <a id="grades-csv" href="${links.gradesCsv}" download>Export grades.csv</a> ·
        <a id="cells-csv" href="${links.cellsCsv}" download>Export every cell (CSV)</a>
      </p>
      <p id="analytics-links">Analytics: ${view.assignments.map(
        (a) =>
          html`<a class="analytics-link" data-assignment="${a.name}" href="${links.analytics(a.name)}">${a.name}</a> `,
      )}</p>
      <p class="muted">Scores after the late penalty; “late”: after the due date and any extension; a red
        −N is the penalty taken off; “extension”: after the due date, within the student’s extension.</p>
      ${pager}
      <table id="gradebook-table">
        <thead><tr><th scope="col">Student</th>${header}<th scope="col">Total</th></tr></thead>
        <tbody>${rows}</tbody>
      </table>`,
  });
}

export function studentAssignmentPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: StudentAssignmentView;
}): string {
  const { urls, view } = options;
  const links = gradebookUrls(urls, view.course.name);
  const notebooks = view.notebooks.map(
    (nb) => html`<section class="notebook" data-notebook="${nb.name}">
      <h2>${nb.name} <span class="nb-score">${scoreText(nb.score)} / ${scoreText(nb.maxScore)}</span>
        ${nb.flagged ? html`<strong class="flagged">flagged</strong>` : ''}
        ${nb.latePenalty ? html`<span class="penalty">late penalty −${scoreText(nb.latePenalty)}</span>` : ''}</h2>
      <table class="cells">
        <thead><tr><th scope="col">Cell</th><th scope="col">Kind</th><th scope="col">Auto</th><th scope="col">Manual</th>
          <th scope="col">Extra credit</th><th scope="col">Score</th><th scope="col">Comment</th></tr></thead>
        <tbody>${nb.cells.map(
          (cell) => html`<tr class="cell" data-cell="${cell.gradeId}">
            <th scope="row">${cell.gradeId}</th>
            <td>${cell.kind === 'answer' ? 'answer' : `${cell.kind}${cell.cellType ? ` (${cell.cellType})` : ''}`}${cell.needsManualGrade ? html` <span class="needs muted">to grade</span>` : ''}</td>
            <td class="auto">${optional(cell.autoScore)}</td>
            <td class="manual">${optional(cell.manualScore)}</td>
            <td class="extra">${optional(cell.extraCredit)}</td>
            <td class="score">${cell.score === null ? '' : `${scoreText(cell.score)} / ${scoreText(cell.maxScore ?? 0)}`}</td>
            <td class="comment">${cell.manualComment ?? cell.autoComment ?? ''}</td>
          </tr>`,
        )}</tbody>
      </table>
    </section>`,
  );
  return page({
    urls,
    title: `${view.assignment}: ${view.student.label}`,
    user: options.user,
    csrfToken: options.csrfToken,
    body: html`<p><a href="${links.overview}">← Gradebook</a></p>
      <h1>${view.assignment}: <span id="student">${view.student.label}</span></h1>
      ${anonymityNote(view.anonymous)}
      <dl id="submission">
        <dt>Submitted (UTC)</dt><dd id="timestamp">${view.timestamp ?? 'no time stamp'}</dd>
        <dt>Due (UTC)</dt><dd id="duedate">${view.duedate ?? 'no due date'}</dd>
        <dt>Extension</dt><dd id="extension" data-seconds="${view.extensionSeconds}">${view.extensionSeconds > 0 ? duration(view.extensionSeconds) : 'none'}</dd>
        <dt>Late</dt><dd id="late" data-seconds="${view.secondsLate}">${view.secondsLate > 0 ? `${duration(view.secondsLate)} late` : 'no'}</dd>
        <dt>Score</dt><dd id="score" data-score="${view.score}">${scoreText(view.rawScore)} − late penalty ${scoreText(view.latePenalty)} = ${scoreText(view.score)} / ${scoreText(view.maxScore)}</dd>
      </dl>
      ${notebooks}`,
  });
}
