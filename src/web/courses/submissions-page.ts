/**
 * The submissions of an assignment, for its instructors and graders: every student of the course,
 * submitted or not, with the time stamp, late or not, the state (submitted, autograded, needs
 * manual grading, graded, flagged) and the score, and a link to grade each notebook. Sorting and
 * filtering are links and a GET form (the server sorts and filters: it works without script).
 * Instructors turn anonymous grading on or off here.
 */
import {
  SUBMISSION_STATES,
  type ListQuery,
  type SubmissionsList,
} from '../../hub/courses/formgrader-views.js';
import type { HubUrls } from '../../hub/urls.js';
import { scoreText } from '../../render/index.js';
import { csrfField, html, page, type PageUser } from '../layout.js';
import { courseUrls, type Flash } from './course-urls.js';
import { gradingUrls } from './grading-urls.js';

const COLUMNS: { sort: NonNullable<ListQuery['sort']>; label: string }[] = [
  { sort: 'student', label: 'Student' },
  { sort: 'timestamp', label: 'Submitted (UTC)' },
  { sort: 'state', label: 'State' },
  { sort: 'score', label: 'Score' },
];

function queryString(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.sort) params.set('sort', query.sort);
  if (query.order) params.set('order', query.order);
  if (query.state) params.set('state', query.state);
  if (query.search) params.set('q', query.search);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function submissionsPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  list: SubmissionsList;
  query: ListQuery;
  flash?: Flash;
}): string {
  const { urls, list, query, csrfToken } = options;
  const links = gradingUrls(urls, list.course.name, list.assignment);
  const header = COLUMNS.map(({ sort, label }) => {
    const current = (query.sort ?? 'student') === sort;
    const order = current && query.order !== 'desc' ? 'desc' : 'asc';
    const arrow = current ? (query.order === 'desc' ? ' ▼' : ' ▲') : '';
    return html`<th><a data-sort="${sort}" href="${links.list}${queryString({ ...query, sort, order, page: undefined })}">${label}${arrow}</a></th>`;
  });
  const rows = list.rows.map(
    (row) => html`<tr class="submission" data-student="${row.key}" data-state="${row.state}">
      <td>${row.label}</td>
      <td>${row.timestamp ?? ''}${row.late ? html` <strong class="late">late</strong>` : ''}</td>
      <td class="state">${row.state}</td>
      <td class="score">${row.score === null ? '' : `${scoreText(row.score)} / ${scoreText(row.maxScore)}`}</td>
      <td>${row.notebooks.map(
        (nb) =>
          html`<a class="grade-link" data-notebook="${nb}" href="${links.submission(row.key, nb)}">Grade ${nb}</a> `,
      )}</td>
    </tr>`,
  );
  const pageLink = (page: number, label: string, rel: string) =>
    page >= 1 && page <= list.pageCount
      ? html`<a rel="${rel}" href="${links.list}${queryString({ ...query, page })}">${label}</a>`
      : '';
  const pager =
    list.pageCount > 1
      ? html`<nav class="pager">${pageLink(list.page - 1, '← Previous page', 'prev')}
          <span>Page ${list.page} of ${list.pageCount} (${list.rowCount} students)</span>
          ${pageLink(list.page + 1, 'Next page →', 'next')}</nav>`
      : '';
  const instructor = list.role === 'instructor';
  return page({
    urls,
    title: `Grading ${list.assignment}`,
    user: options.user,
    csrfToken,
    flash: options.flash,
    body: html`<p><a href="${courseUrls(urls, list.course.name).page}">← ${list.course.title}</a></p>
      <h1>Grading ${list.assignment}</h1>
      <p class="muted">Due ${list.duedate ?? 'whenever'} (UTC) · ${scoreText(list.maxScore)} points ·
        ${SUBMISSION_STATES.map((s) => `${s}: ${list.counts[s]}`).join(' · ')}</p>
      <p id="anonymity" data-anonymous="${list.anonymous ? 'yes' : 'no'}">
        ${list.anonymous ? 'Anonymous grading: students are shown by a pseudonym.' : 'Students are shown by name.'}
        ${
          instructor
            ? html`<form method="post" action="${links.anonymous}" class="inline">${csrfField(csrfToken)}
                <input type="hidden" name="anonymous" value="${list.anonymous ? 'no' : 'yes'}" />
                <button type="submit" class="secondary" data-action="anonymous">${
                  list.anonymous ? 'Reveal names' : 'Grade anonymously'
                }</button></form>`
            : ''
        }
      </p>
      <form method="get" action="${links.list}" class="filter" id="filter">
        <label>State <select name="state">
          <option value="">any</option>
          ${SUBMISSION_STATES.map(
            (s) => html`<option value="${s}"${query.state === s ? html` selected` : ''}>${s}</option>`,
          )}
        </select></label>
        <label>Student <input type="text" name="q" value="${query.search ?? ''}" /></label>
        ${query.sort ? html`<input type="hidden" name="sort" value="${query.sort}" />` : ''}
        ${query.order ? html`<input type="hidden" name="order" value="${query.order}" />` : ''}
        <button type="submit" class="secondary">Filter</button>
      </form>
      ${
        list.questions.length > 0
          ? html`<p id="questions">Grade by question: ${list.questions.map(
              (q) =>
                html`<a class="question-link" data-notebook="${q.notebook}" data-cell="${q.cell}" href="${links.question(q.notebook, q.cell)}">${q.notebook} / ${q.cell}</a> `,
            )}</p>`
          : ''
      }
      <table id="submissions">
        <thead><tr>${header}<th></th></tr></thead>
        <tbody>${rows}</tbody>
      </table>
      ${pager}`,
  });
}
