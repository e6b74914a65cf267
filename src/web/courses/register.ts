/**
 * The course pages (paths under hub.baseUrl; src/web/courses/course-urls.ts builds them):
 *   GET  /hub/courses/:course                      the student page or the instructor page, by role
 *   POST /hub/courses/:course/fetch/:assignment    fetch (into the student's COURSE/ASSIGNMENT/)
 *   POST /hub/courses/:course/submit/:assignment   submit; the answer shows the receipt and warnings
 *   POST /hub/courses/:course/validate/:assignment nbgrader validate on one's own files, in the sandbox
 *   GET  /hub/courses/:course/feedback/:id/:page   a released feedback page (own, or a grader's)
 *   POST /hub/courses/:course/assignments          add an assignment / change its due date (instructor)
 *   POST /hub/courses/:course/generate/:assignment generate release/ASSIGNMENT (instructor)
 *   POST /hub/courses/:course/release/:assignment  release; /unrelease/:assignment withdraws (instructor)
 *   POST /hub/courses/:course/jobs                 start collect | autograde | feedback (graders)
 *   GET  /hub/courses/:course/jobs/:id             a job's state and progress as JSON (graders)
 *   POST /hub/courses/:course/students             enroll a student; .../students/:name/remove (instructor)
 *   GET  /hub/courses/:course/grades.csv           the gradebook in nbgrader's grades.csv columns (graders)
 *   GET  /hub/courses/:course/preview/:assignment  the student version of an assignment, rendered (graders)
 *   POST /hub/courses/:course/extensions           a student's extension on an assignment (instructor)
 *   POST /hub/courses/:course/students/import      students from a CSV file, multipart (instructor)
 *   GET  /hub/courses.js                           the instructor page's script
 *   GET  /hub/courses-notebook.css                 the preview's notebook stylesheet
 *   GET/POST /hub/courses/:course/editor/...       the assignment editor (instructors; ./editor-routes.ts)
 * Every route asks the course service for the role of the user behind the browser session (the
 * services check it again themselves): a student of one course has nothing in another, and never
 * anything of another student. API tokens are the REST API's business, not these pages'.
 * CSRF is checked by the login area's hook for every POST.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CourseService } from '../../exchange/courses/course-service.js';
import { CourseNotFoundError } from '../../exchange/errors.js';
import type { Actor, Exchange } from '../../exchange/exchange.js';
import type { CourseEnrollment } from '../../hub/courses/course-enrollment.js';
import { JOB_KINDS, type CourseJobs, type JobKind } from '../../hub/courses/course-jobs.js';
import { INSTRUCTOR, type CourseWork } from '../../hub/courses/course-work.js';
import type { Formgrader } from '../../hub/courses/formgrader.js';
import { parseStudentsCsv } from '../../hub/courses/student-csv.js';
import { NOTEBOOK_CSS } from '../../render/index.js';
import type { AssignmentEditor } from '../../hub/courses/assignment-editor.js';
import type { GradebookReports } from '../../hub/courses/gradebook-reports.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { CoursehubError } from '../../util/errors.js';
import { formField, sendHtml } from '../respond.js';
import { COURSE_SCRIPT } from './course-script.js';
import { courseUrls, coursesScriptPath, notebookCssPath, type Flash } from './course-urls.js';
import { coursePageView } from './course-view.js';
import { courseErrorStatus, refusalPage, sessionCaller } from './course-page-answers.js';
import { registerEditorPages } from './editor-routes.js';
import { registerGradebookPages } from './gradebook-routes.js';
import { registerGradingPages } from './grading-routes.js';
import { instructorPage } from './instructor-page.js';
import { extensionText } from './extension-text.js';
import { previewPage } from './preview-page.js';
import { studentPage } from './student-page.js';

export interface CoursePagesDeps {
  courses: CourseService;
  exchange: Exchange;
  work: CourseWork;
  jobs: CourseJobs;
  /** The grading pages (./grading-routes.ts). */
  formgrader: Formgrader;
  /** Students imported from a CSV file (users made when missing). */
  enrollment: CourseEnrollment;
  /** The assignment editor (./editor-routes.ts). */
  editor: AssignmentEditor;
  /** The gradebook pages (./gradebook-routes.ts). */
  gradebook: GradebookReports;
  urls: HubUrls;
}

/** The students CSV upload: one small file, kept in memory. */
const STUDENTS_CSV_LIMITS = { fileSize: 1024 * 1024, files: 1, fields: 5, fieldSize: 4096 };

/**
 * Feedback pages are the renderer's sanitized HTML with their own inline style. They get a policy
 * of their own, stricter than the hub's: no script at all (and `sandbox`: no script even if one
 * slipped through, no forms, an opaque origin), styles inline only, images from data: or the hub.
 */
export const FEEDBACK_CONTENT_SECURITY_POLICY =
  "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

type CourseParams = {
  Params: { course: string; assignment?: string; id?: string; page?: string; name?: string };
};

const errorStatus = courseErrorStatus;

export async function registerCoursePages(app: FastifyInstance, deps: CoursePagesDeps): Promise<void> {
  const { urls, exchange, work, jobs } = deps;
  const base = urls.hub('courses/:course');
  registerGradingPages(app, { formgrader: deps.formgrader, urls });
  registerEditorPages(app, { editor: deps.editor, urls });
  registerGradebookPages(app, { gradebook: deps.gradebook, urls });

  const caller = (request: FastifyRequest, reply: FastifyReply) => sessionCaller(request, reply, urls);

  const actorOf = (identity: Identity): Actor => ({ name: identity.user.name, admin: identity.user.admin });

  const errorPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    identity: Identity,
    error: CoursehubError,
  ) => refusalPage(request, reply, urls, identity.user, error);

  /** The course page as this user sees it (student or instructor view), with a flash. */
  async function coursePage(
    request: FastifyRequest,
    reply: FastifyReply,
    identity: Identity,
    course: string,
    flash?: Flash,
    status = 200,
  ) {
    const view = await coursePageView(deps, course, actorOf(identity));
    const common = { urls, user: identity.user, csrfToken: request.session?.csrfToken, flash };
    return sendHtml(
      reply,
      status,
      view.kind === 'student'
        ? studentPage({ ...common, ...view.student })
        : instructorPage({ ...common, view: view.instructor }),
    );
  }

  /**
   * Runs a page action: its flash on the course page, or, for a refusal, the error on the course
   * page (a bad input) or alone (no such course, no role: nothing of the course is shown).
   */
  async function action(
    request: FastifyRequest<CourseParams>,
    reply: FastifyReply,
    work: (actor: Actor, identity: Identity) => Promise<Flash | 'redirect'>,
  ) {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { course } = request.params;
    try {
      const flash = await work(actorOf(identity), identity);
      if (flash === 'redirect') return reply.redirect(courseUrls(urls, course).page, 303);
      return await coursePage(request, reply, identity, course, flash);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      if (errorStatus(error) !== 400) return errorPage(request, reply, identity, error);
      try {
        return await coursePage(
          request,
          reply,
          identity,
          course,
          { kind: 'error', text: error.describe() },
          400,
        );
      } catch (inner) {
        if (!(inner instanceof CoursehubError)) throw inner;
        return errorPage(request, reply, identity, inner);
      }
    }
  }

  app.get(coursesScriptPath(urls), async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(COURSE_SCRIPT),
  );

  app.get<CourseParams>(base, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    try {
      return await coursePage(request, reply, identity, request.params.course);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      return errorPage(request, reply, identity, error);
    }
  });

  app.post<CourseParams>(`${base}/fetch/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const fetched = await exchange.fetch(request.params.course, request.params.assignment!, actor);
      return {
        kind: 'info',
        text:
          `Fetched ${request.params.assignment} (version ${fetched.version}) into ${fetched.folder}/ of your server.` +
          (fetched.written.length > 0 ? ` Written: ${fetched.written.join(', ')}.` : '') +
          (fetched.kept.length > 0 ? ` Kept as you left them: ${fetched.kept.join(', ')}.` : ''),
      };
    }),
  );

  app.post<CourseParams>(`${base}/submit/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const receipt = await exchange.submit(request.params.course, request.params.assignment!, actor);
      return {
        kind: receipt.warnings.length > 0 ? 'error' : 'info',
        text:
          `Submitted ${receipt.assignment} at ${receipt.timestamp} UTC (${receipt.files.length} files). ` +
          `Receipt: sha256 ${receipt.checksum}` +
          receipt.warnings.map((warning) => `\nWarning: ${warning}`).join(''),
      };
    }),
  );

  app.post<CourseParams>(`${base}/validate/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const reports = await work.validate(request.params.course, request.params.assignment!, actor);
      return {
        kind: reports.every((r) => r.passed) ? 'info' : 'error',
        text: reports.map((r) => `Validate ${r.notebook}:\n${r.report.trimEnd()}`).join('\n\n'),
      };
    }),
  );

  app.get<CourseParams>(`${base}/feedback/:id/:page`, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const id = Number(request.params.id);
    try {
      if (!Number.isSafeInteger(id))
        throw new CourseNotFoundError(`There is no feedback ${request.params.id}.`, {
          hint: 'Open the feedback from your course page.',
        });
      const { data } = await exchange.feedbackPage(
        request.params.course,
        id,
        request.params.page!,
        actorOf(identity),
      );
      return reply
        .code(200)
        .type(
          request.params.page!.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream',
        )
        .header('content-security-policy', FEEDBACK_CONTENT_SECURITY_POLICY)
        .header('cache-control', 'no-store')
        .send(data);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      return errorPage(request, reply, identity, error);
    }
  });

  app.post<CourseParams>(`${base}/assignments`, (request, reply) =>
    action(request, reply, async (actor) => {
      const name = formField(request.body, 'name').trim();
      await work.addAssignment(request.params.course, name, formField(request.body, 'duedate'), actor);
      return { kind: 'info', text: `Assignment ${name} saved.` };
    }),
  );

  app.post<CourseParams>(`${base}/generate/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const generated = await work.generate(request.params.course, request.params.assignment!, actor);
      return {
        kind: 'info',
        text: `Generated release/${request.params.assignment}/: ${[...generated.notebooks, ...generated.files].join(', ')}.`,
      };
    }),
  );

  app.post<CourseParams>(`${base}/release/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const released = await exchange.release(request.params.course, request.params.assignment!, actor);
      return {
        kind: 'info',
        text: released.unchanged
          ? `${request.params.assignment} is released already as version ${released.version} with these files; nothing changed.`
          : `Released ${request.params.assignment} as version ${released.version}: ${released.files.join(', ')}.`,
      };
    }),
  );

  app.post<CourseParams>(`${base}/unrelease/:assignment`, (request, reply) =>
    action(request, reply, async (actor) => {
      const withdrawn = await exchange.unrelease(request.params.course, request.params.assignment!, actor);
      return { kind: 'info', text: `Withdrew version ${withdrawn.version} of ${request.params.assignment}.` };
    }),
  );

  app.post<CourseParams>(`${base}/jobs`, (request, reply) =>
    action(request, reply, async (actor) => {
      const kind = formField(request.body, 'kind');
      if (!(JOB_KINDS as readonly string[]).includes(kind))
        throw new CoursehubError(`${JSON.stringify(kind)} is not a job of a course.`, {
          hint: `One of: ${JOB_KINDS.join(', ')}.`,
        });
      // Collect (or autograde) one student: the form's student field, when one was chosen.
      const student = formField(request.body, 'student').trim();
      await jobs.start(
        request.params.course,
        kind as JobKind,
        formField(request.body, 'assignment'),
        actor,
        student === '' ? {} : { student },
      );
      return 'redirect';
    }),
  );

  app.get<CourseParams>(`${base}/jobs/:id`, async (request, reply) => {
    const identity = request.identity?.kind === 'session' ? request.identity : undefined;
    if (!identity) return reply.code(403).send({ status: 403, message: 'Log in to the hub first.' });
    try {
      const job = await jobs.find(request.params.course, Number(request.params.id), actorOf(identity));
      return reply.header('cache-control', 'no-store').send({
        id: job.id,
        kind: job.kind,
        assignment: job.assignment,
        state: job.state,
        done: job.done,
        total: job.total,
        failed: job.failed,
        message: job.message,
      });
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      const status = errorStatus(error);
      return reply.code(status).send({ status, message: error.describe() });
    }
  });

  app.post<CourseParams>(`${base}/students`, (request, reply) =>
    action(request, reply, async (actor) => {
      const name = formField(request.body, 'name').trim();
      await work.courseFor(request.params.course, actor, INSTRUCTOR);
      // Adding a student never demotes a colleague: their role is an admin's to change.
      const role = await deps.courses.roleOf(request.params.course, name);
      if (role !== undefined && role !== 'student')
        throw new CoursehubError(
          `${name} is ${role === 'instructor' ? 'an instructor' : 'a grader'} of ${request.params.course}.`,
          {
            hint: 'Only people without a role in the course (or students) are added as students.',
          },
        );
      await deps.courses.enroll(request.params.course, [{ name, role: 'student' }]);
      return { kind: 'info', text: `${name} is a student of ${request.params.course} now.` };
    }),
  );

  app.post<CourseParams>(`${base}/students/:name/remove`, (request, reply) =>
    action(request, reply, async (actor) => {
      const name = request.params.name!;
      await work.courseFor(request.params.course, actor, ['instructor']);
      const role = await deps.courses.roleOf(request.params.course, name);
      if (role !== 'student')
        throw new CourseNotFoundError(`${name} is not a student of ${request.params.course}.`, {
          hint: 'Only students are removed here.',
        });
      await deps.courses.unenroll(request.params.course, name);
      return {
        kind: 'info',
        text: `${name} is no longer a student of ${request.params.course} (their work and grades are kept).`,
      };
    }),
  );

  app.get<CourseParams>(`${base}/grades.csv`, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    try {
      // Pseudonyms while an assignment is graded anonymously (as the gradebook pages' export).
      const csv = await deps.gradebook.gradesCsv(request.params.course, actorOf(identity));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="grades.csv"')
        .header('cache-control', 'no-store')
        .send(csv);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      return errorPage(request, reply, identity, error);
    }
  });

  app.get(notebookCssPath(urls), async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(NOTEBOOK_CSS),
  );

  app.get<CourseParams>(`${base}/preview/:assignment`, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { course, assignment } = request.params;
    try {
      const preview = await exchange.preview(course, assignment!, actorOf(identity));
      const row = await deps.courses.require(course);
      return sendHtml(
        reply,
        200,
        previewPage({
          urls,
          user: identity.user,
          csrfToken: request.session?.csrfToken,
          course: { name: row.name, title: row.title },
          preview,
        }),
      );
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      if (errorStatus(error) !== 400) return errorPage(request, reply, identity, error);
      return coursePage(request, reply, identity, course, { kind: 'error', text: error.describe() }, 400);
    }
  });

  app.post<CourseParams>(`${base}/extensions`, (request, reply) =>
    action(request, reply, async (actor) => {
      // '' is none of that unit; anything else must be a number (the service refuses NaN).
      const amount = (name: string) => {
        const text = formField(request.body, name).trim();
        return text === '' ? 0 : Number(text);
      };
      const assignment = formField(request.body, 'assignment').trim();
      const student = formField(request.body, 'student').trim();
      const set = await work.setExtension(
        request.params.course,
        assignment,
        student,
        { minutes: amount('minutes'), hours: amount('hours'), days: amount('days') },
        actor,
      );
      return {
        kind: 'info',
        text:
          set.seconds === 0
            ? `${student} has no extension on ${assignment} now.`
            : `${student} has ${extensionText(set.seconds)} more on ${assignment}.`,
      };
    }),
  );

  // The students CSV upload, in a scope of its own: only this route takes multipart bodies.
  await app.register(async (scope) => {
    await scope.register(fastifyMultipart, { attachFieldsToBody: 'keyValues', limits: STUDENTS_CSV_LIMITS });
    scope.post<CourseParams>(`${base}/students/import`, (request, reply) =>
      action(request, reply, async (actor) => {
        await work.courseFor(request.params.course, actor, INSTRUCTOR);
        const file = (request.body as Record<string, unknown> | undefined)?.students;
        if (!Buffer.isBuffer(file) || file.length === 0)
          throw new CoursehubError('Choose a CSV file of students to import.', {
            hint: 'Columns id,first_name,last_name,email (id required), one student a line.',
          });
        const rows = parseStudentsCsv(file, 'The students file');
        const report = await deps.enrollment.importStudents(request.params.course, rows, 'The students file');
        return {
          kind: 'info',
          text:
            `Imported ${rows.length} student${rows.length === 1 ? '' : 's'} into ${request.params.course}` +
            (report.createdUsers.length > 0 ? ` (new users: ${report.createdUsers.join(', ')}).` : '.'),
        };
      }),
    );
  });
}
