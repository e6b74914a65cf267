/**
 * A student's page of a course: the released assignments with their due date and state (not
 * fetched, fetched, submitted, late, feedback ready), Fetch and Submit, the receipt of every
 * submission (the hub's time stamp and the snapshot's checksum), and links to the feedback released
 * to them. Only ever the student's own: the exchange's `list` and `releasedFeedback` give nothing
 * else to a student.
 */
import type { ListedAssignment } from '../../exchange/list.js';
import type { Receipt } from '../../exchange/receipts.js';
import type { ReleasedFeedback } from '../../exchange/feedback-pages.js';
import type { HubCourseRow } from '../../exchange/courses/course-service.js';
import type { HubUrls } from '../../hub/urls.js';
import { csrfField, html, page, type PageUser, type SafeHtml } from '../layout.js';
import { parseNaiveUtc } from '../../gradebook/timestamps.js';
import { courseUrls, type Flash } from './course-urls.js';

export type AssignmentState = 'not fetched' | 'fetched' | 'submitted' | 'late' | 'feedback ready';

/** What the student sees of an assignment: feedback, then their latest submission, then fetched. */
export function assignmentState(assignment: ListedAssignment): AssignmentState {
  if (assignment.feedback.length > 0) return 'feedback ready';
  const latest = assignment.submissions.at(-1);
  if (latest)
    return isLate(latest.timestamp, assignment.extendedDuedate ?? assignment.duedate) ? 'late' : 'submitted';
  return assignment.fetched ? 'fetched' : 'not fetched';
}

/** Whether a submission's hub time stamp is past the due date (both naive UTC); never without a due date. */
function isLate(timestamp: string, duedate: string | null): boolean {
  return duedate !== null && parseNaiveUtc(timestamp) > parseNaiveUtc(duedate);
}

/** Links to released feedback pages (one item per released feedback). */
export function feedbackLinks(urls: HubUrls, course: string, rows: readonly ReleasedFeedback[]): SafeHtml {
  const links = courseUrls(urls, course);
  return html`${rows.map(
    (row) =>
      html`<li class="feedback" data-feedback-student="${row.student}">
        ${row.pages.map(
          (name) =>
            html`<a href="${links.feedback(row.id, name)}" data-feedback="${row.assignment}/${name}">${name}</a> `,
        )}
        <span class="muted">for the submission of ${row.timestamp}</span>
      </li>`,
  )}`;
}

export function studentPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  course: HubCourseRow;
  assignments: readonly ListedAssignment[];
  feedback: readonly ReleasedFeedback[];
  /** Every submission of the student's own, with nbgrader's warnings. */
  receipts: readonly Receipt[];
  flash?: Flash;
}): string {
  const { urls, course, csrfToken } = options;
  const links = courseUrls(urls, course.name);
  const rows = options.assignments.map((a) => {
    const state = assignmentState(a);
    const feedback = options.feedback.filter((f) => f.assignment === a.assignment);
    const receipts = options.receipts.filter((r) => r.assignment === a.assignment);
    return html`<section class="card assignment" data-assignment="${a.assignment}" data-state="${state}">
      <h2>${a.assignment}</h2>
      <p>
        Due: <span class="duedate">${a.duedate ? `${a.duedate} UTC` : 'no due date'}</span>${
          a.extendedDuedate
            ? html` · <span class="extension">extended for you to <span class="extended-duedate">${a.extendedDuedate} UTC</span></span>`
            : ''
        } · State:
        <strong class="state">${state}</strong> · Release version ${a.version}
      </p>
      <form method="post" action="${links.fetch(a.assignment)}" class="inline">
        ${csrfField(csrfToken)}<button type="submit" data-action="fetch">Fetch</button>
      </form>
      <form method="post" action="${links.submit(a.assignment)}" class="inline">
        ${csrfField(csrfToken)}<button type="submit" data-action="submit" ${a.fetched ? '' : 'disabled'}>
          Submit
        </button>
      </form>
      <form method="post" action="${links.validate(a.assignment)}" class="inline">
        ${csrfField(csrfToken)}<button type="submit" data-action="validate" class="secondary" ${a.fetched ? '' : 'disabled'}>
          Validate
        </button>
      </form>
      <p class="muted">
        Fetch puts the assignment in <code>${course.name}/${a.assignment}/</code> of your server (a file you
        changed is never overwritten); Validate runs your notebooks as the grader will (nothing is handed in); Submit hands in that folder as it is now.
      </p>
      ${
        receipts.length > 0
          ? html`<h3>Your submissions</h3>
            <table class="receipts">
              <thead>
                <tr>
                  <th>Time stamp (UTC)</th>
                  <th>Checksum (sha256)</th>
                  <th>Files</th>
                  <th>Warnings</th>
                </tr>
              </thead>
              <tbody>
                ${receipts.map(
                  (r) => html`<tr class="receipt">
                    <td class="timestamp">${r.timestamp}</td>
                    <td><code class="checksum">${r.checksum}</code></td>
                    <td>${r.files} (${r.bytes} bytes)</td>
                    <td class="warnings">${r.warnings.map((w) => html`<pre>${w}</pre>`)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
          : ''
      }
      ${
        feedback.length > 0
          ? html`<h3>Feedback</h3>
            <ul>
              ${feedbackLinks(urls, course.name, feedback)}
            </ul>`
          : ''
      }
    </section>`;
  });
  return page({
    urls,
    title: course.title,
    user: options.user,
    csrfToken,
    flash: options.flash,
    body: html`<h1>${course.title}</h1>
      <p class="muted">Course <code>${course.name}</code> · you are a student</p>
      ${rows.length > 0 ? rows : html`<p id="no-assignments">Nothing is released yet.</p>`}`,
  });
}
