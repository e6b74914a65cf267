/**
 * The page of a course for its instructors and graders (and admins): assignments (add with a due
 * date, generate, release / unrelease, collect, autograde, feedback, counts of submitted and
 * autograded), the jobs with their progress (the page's script polls them; they are rows, so a
 * reload finds them), a preview of each assignment's student version, collect of one student, the
 * students (add, remove, import a CSV file) and their extensions, and the gradebook (students x
 * assignments, total and per notebook) with its grades.csv. Graders get no generate, release, due
 * date, extension or student buttons (the routes refuse them too).
 */
import type { CourseMemberRow } from '../../db/stores/courses-roles.js';
import type { HubCourseRow } from '../../exchange/courses/course-service.js';
import type { ReleasedFeedback } from '../../exchange/feedback-pages.js';
import type { ListedAssignment } from '../../exchange/list.js';
import type { JobRow } from '../../hub/courses/course-jobs.js';
import type { GradebookTable } from '../../hub/courses/course-work.js';
import type { HubUrls } from '../../hub/urls.js';
import { editorUrls } from './editor-urls.js';
import { csrfField, html, page, type PageUser, type SafeHtml } from '../layout.js';
import { courseUrls, coursesScriptPath, type Flash } from './course-urls.js';
import { extensionText } from './extension-text.js';
import { feedbackLinks } from './student-page.js';
import { gradingUrls } from './grading-urls.js';
import { gradebookUrls } from './gradebook-urls.js';

export interface InstructorView {
  course: HubCourseRow;
  role: 'instructor' | 'grader';
  /** Names in source/, in the gradebook, or released. */
  assignments: string[];
  released: readonly ListedAssignment[];
  table: GradebookTable;
  /** Names hidden (an assignment is graded anonymously): `table` then has no student rows. */
  anonymous: boolean;
  jobs: readonly JobRow[];
  members: readonly CourseMemberRow[];
  feedback: readonly ReleasedFeedback[];
  /** Per-student extensions: seconds added to the assignment's due date for that student. */
  extensions: readonly { assignment: string; student: string; seconds: number }[];
}

const points = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n * 100) / 100));

function button(
  action: string,
  label: string,
  csrfToken: string | undefined,
  data: string,
  extra?: SafeHtml,
  look: '' | 'danger' | 'secondary' = '',
) {
  return html`<form method="post" action="${action}" class="inline">
    ${csrfField(csrfToken)}${extra ?? ''}<button type="submit" data-action="${data}" class="${look}">${label}</button>
  </form>`;
}

function jobButton(jobs: string, kind: string, assignment: string, label: string, csrfToken?: string) {
  return button(
    jobs,
    label,
    csrfToken,
    kind,
    html`<input type="hidden" name="kind" value="${kind}" /><input
        type="hidden"
        name="assignment"
        value="${assignment}"
      />`,
  );
}

function jobRow(urls: ReturnType<typeof courseUrls>, job: JobRow): SafeHtml {
  const percent = job.total > 0 ? Math.round((100 * job.done) / job.total) : 0;
  return html`<tr class="job" data-job="${job.id}" data-job-url="${urls.job(job.id)}" data-state="${job.state}">
    <td>${job.kind}</td>
    <td>${job.assignment}</td>
    <td class="job-state">${job.state}</td>
    <td><progress max="100" value="${percent}"></progress> <span class="job-count">${job.done} / ${job.total}</span></td>
    <td class="job-message"><pre>${job.message ?? ''}</pre></td>
    <td class="muted">${job.createdBy ?? ''} ${job.createdAt.replace('T', ' ').slice(0, 19)}</td>
  </tr>`;
}

export function instructorPage(options: {
  urls: HubUrls;
  user: PageUser;
  csrfToken?: string;
  view: InstructorView;
  flash?: Flash;
}): string {
  const { urls, csrfToken, view } = options;
  const links = courseUrls(urls, view.course.name);
  const instructor = view.role === 'instructor';
  const released = new Map(view.released.map((a) => [a.assignment, a]));
  const inGradebook = new Map(view.table.assignments.map((a) => [a.name, a]));
  const students = view.members.filter((m) => m.role === 'student');

  const assignmentRows = view.assignments.map((name) => {
    const release = released.get(name);
    const graded = inGradebook.get(name);
    return html`<tr class="assignment" data-assignment="${name}" data-released="${release ? 'yes' : 'no'}">
      <td><strong>${name}</strong></td>
      <td class="duedate">${graded?.duedate ?? ''}</td>
      <td class="release">${release ? `version ${release.version}` : 'not released'}</td>
      <td class="submitted">${release?.submittedBy ?? 0}</td>
      <td class="autograded">${graded?.autograded ?? 0}</td>
      <td>
        ${
          instructor
            ? html`${button(links.generate(name), 'Generate', csrfToken, 'generate')}
            ${
              release
                ? button(links.unrelease(name), 'Unrelease', csrfToken, 'unrelease', undefined, 'danger')
                : ''
            }${button(links.release(name), release ? 'Release again' : 'Release', csrfToken, 'release')}`
            : ''
        }
        ${instructor ? html`<a class="button secondary" data-action="edit" href="${editorUrls(urls, view.course.name, name).list}">Edit cells</a>` : ''}
        ${graded ? html`<a class="button secondary" data-action="grade" href="${gradingUrls(urls, view.course.name, name).list}">Grade</a>` : ''}
        <a href="${links.preview(name)}" class="preview" data-action="preview">Preview student version</a>
        ${jobButton(links.jobs, 'collect', name, 'Collect', csrfToken)}
        ${
          students.length > 0
            ? html`<form method="post" action="${links.jobs}" class="inline collect-one">
                ${csrfField(csrfToken)}<input type="hidden" name="kind" value="collect" /><input
                  type="hidden"
                  name="assignment"
                  value="${name}"
                /><select name="student" aria-label="Student to collect">
                  ${students.map((m) => html`<option value="${m.userName}">${m.userName}</option>`)}
                </select><button type="submit" data-action="collect-one" class="secondary">Collect one</button>
              </form>`
            : ''
        }
        ${jobButton(links.jobs, 'autograde', name, 'Autograde', csrfToken)}
        ${jobButton(links.jobs, 'feedback', name, 'Generate and release feedback', csrfToken)}
      </td>
    </tr>`;
  });

  const notebooks = (assignment: string) =>
    [
      ...new Set(Object.values(view.table.cells).flatMap((c) => Object.keys(c[assignment]?.notebooks ?? {}))),
    ].sort();
  const gradebookRows = view.table.students.map((student) => {
    const cells = view.table.cells[student.id] ?? {};
    return html`<tr data-student="${student.id}">
      <td>${student.id}</td>
      <td>${[student.firstName, student.lastName].filter(Boolean).join(' ')}</td>
      ${view.table.assignments.map((a) => {
        const cell = cells[a.name];
        const fb = view.feedback.filter((f) => f.student === student.id && f.assignment === a.name);
        return html`<td class="grade" data-assignment="${a.name}" data-score="${cell ? cell.score : ''}">
          ${
            cell
              ? html`<strong>${points(cell.score)} / ${points(cell.maxScore)}</strong>${
                  cell.needsManualGrade ? html` <span class="muted">(needs manual grading)</span>` : ''
                }
                <br /><span class="muted"
                  >${notebooks(a.name).map(
                    (nb) =>
                      html`${nb}: ${points(cell.notebooks[nb]?.score ?? 0)} / ${points(cell.notebooks[nb]?.maxScore ?? 0)} `,
                  )}</span
                >${fb.length > 0 ? html`<ul>${feedbackLinks(urls, view.course.name, fb)}</ul>` : ''}`
              : html`<span class="muted">—</span>`
          }
        </td>`;
      })}
    </tr>`;
  });

  return page({
    urls,
    title: view.course.title,
    user: options.user,
    csrfToken,
    flash: options.flash,
    body: html`<h1>${view.course.title}</h1>
      <p class="muted">Course <code>${view.course.name}</code> · you are ${instructor ? 'an instructor' : 'a grader'} ·
        directory <code>${view.course.directory}</code></p>

      <h2>Assignments</h2>
      <table id="assignments">
        <thead>
          <tr><th>Assignment</th><th>Due (UTC)</th><th>Release</th><th>Submitted</th><th>Autograded</th><th></th></tr>
        </thead>
        <tbody>
          ${assignmentRows}
        </tbody>
      </table>
      ${
        instructor
          ? html`<form id="add-assignment" method="post" action="${links.assignments}" class="card">
            ${csrfField(csrfToken)}
            <label>Assignment <input name="name" required /></label>
            <label>Due (UTC) <input name="duedate" type="datetime-local" /></label>
            <button type="submit" data-action="add-assignment">Add or change due date</button>
            <p class="muted">Put its source notebooks in <code>source/NAME/</code> of the course directory
              (<code>~/${view.course.name}/</code> in your server), then Generate and Release.</p>
          </form>`
          : ''
      }

      <h2>Jobs</h2>
      <table id="jobs" data-page="${links.page}">
        <thead>
          <tr><th>Job</th><th>Assignment</th><th>State</th><th>Progress</th><th>Message</th><th>Started</th></tr>
        </thead>
        <tbody>
          ${view.jobs.map((job) => jobRow(links, job))}
        </tbody>
      </table>

      <h2>Gradebook</h2>
      <p><a href="${links.gradesCsv}" id="grades-csv" download>Export grades.csv</a> ·
        <a href="${gradebookUrls(urls, view.course.name).overview}" id="gradebook-link">Open the gradebook (by cell, exports, analytics)</a></p>
      ${
        view.anonymous
          ? html`<p id="gradebook-anonymous" class="muted">An assignment of this course is graded anonymously:
              the grades are shown by pseudonym in the gradebook and in grades.csv until names are revealed.</p>`
          : html`<table id="gradebook">
              <thead>
                <tr><th>Student</th><th>Name</th>${view.table.assignments.map(
                  (a) => html`<th>${a.name} <span class="muted">(${points(a.maxScore)})</span></th>`,
                )}</tr>
              </thead>
              <tbody>
                ${gradebookRows}
              </tbody>
            </table>`
      }

      <h2>Students</h2>
      ${view.anonymous && !instructor ? html`<p id="students-hidden" class="muted">Hidden while an assignment is graded anonymously.</p>` : ''}
      <table id="students">
        <tbody>
          ${students.map(
            (m) => html`<tr data-student="${m.userName}">
              <td>${m.userName}</td>
              <td>${[m.firstName, m.lastName].filter(Boolean).join(' ')}</td>
              <td>${m.email ?? ''}</td>
              <td>${instructor ? button(links.removeStudent(m.userName), 'Remove', csrfToken, 'remove-student', undefined, 'danger') : ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${
        instructor
          ? html`<form id="add-student" method="post" action="${links.students}" class="card">
            ${csrfField(csrfToken)}
            <label>User name <input name="name" required /></label>
            <button type="submit" data-action="add-student">Add student</button>
          </form>
          <form id="import-students" method="post" action="${links.importStudents}" enctype="multipart/form-data" class="card">
            ${csrfField(csrfToken)}
            <label>Students CSV <input name="students" type="file" accept=".csv,text/csv" required /></label>
            <button type="submit" data-action="import-students">Import students</button>
            <p class="muted">As <code>nbgrader db student import</code>: a header line naming the columns
              <code>id,first_name,last_name,email</code> (id required; ids are user names), one student a line.
              Missing users are created; a bad line imports nobody.</p>
          </form>`
          : ''
      }

      <h2>Extensions</h2>
      <table id="extensions">
        <thead>
          <tr><th>Assignment</th><th>Student</th><th>Extra time</th></tr>
        </thead>
        <tbody>
          ${view.extensions.map(
            (
              e,
            ) => html`<tr class="extension" data-assignment="${e.assignment}" data-student="${e.student}" data-seconds="${e.seconds}">
              <td>${e.assignment}</td><td>${e.student}</td><td>${extensionText(e.seconds)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${
        instructor && view.table.assignments.length > 0 && students.length > 0
          ? html`<form id="set-extension" method="post" action="${links.extensions}" class="card">
            ${csrfField(csrfToken)}
            <label>Assignment <select name="assignment">${view.table.assignments.map(
              (a) => html`<option value="${a.name}">${a.name}</option>`,
            )}</select></label>
            <label>Student <select name="student">${students.map(
              (m) => html`<option value="${m.userName}">${m.userName}</option>`,
            )}</select></label>
            <label>Days <input name="days" type="number" min="0" step="any" /></label>
            <label>Hours <input name="hours" type="number" min="0" step="any" /></label>
            <label>Minutes <input name="minutes" type="number" min="0" step="any" /></label>
            <button type="submit" data-action="set-extension">Set extension</button>
            <p class="muted">Added to the due date for that student alone (0 removes it); the late flag and the late penalty count from the extended date.</p>
          </form>`
          : ''
      }
      <script src="${coursesScriptPath(urls)}" defer></script>`,
  });
}
