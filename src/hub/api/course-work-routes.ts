/**
 * /hub/api/courses/{course}/...: an instructor's work on a course over HTTP, for the command line
 * (`coursehub nbgrader db assignment add|list`, `db student list`, `generate_assignment`,
 * `autograde`, `generate_feedback`, `export` with `--course C`). The same services as the
 * instructor page (src/hub/courses/): the scope first, then the caller's role in the course, as
 * nbgrader's formgrader draws it: instructors add assignments and generate (`courses:manage`);
 * graders too may autograde, generate feedback and export (`courses:grade`). autograde and
 * generate_feedback run as jobs: the POST answers 202 with the job, GET .../jobs/{id} its state.
 * The roster (`db student add|remove|import`, `db assignment remove`) is the instructors'.
 */
import type { FastifyInstance } from 'fastify';
import { CoursehubError } from '../../util/errors.js';
import type { CourseJobs, JobRow } from '../courses/course-jobs.js';
import { INSTRUCTOR } from '../courses/course-work.js';
import type { CourseEnrollment } from '../courses/course-enrollment.js';
import type { CourseWork } from '../courses/course-work.js';
import type { GradebookReports } from '../courses/gradebook-reports.js';
import { parseStudentsCsv } from '../courses/student-csv.js';
import { ApiError, toApiError } from './api-error.js';
import { objectBody, optionalBoolean, optionalString } from './body.js';
import { actorFor } from './course-actor.js';

export interface CourseWorkApiDeps {
  /** Assignments, students, generate, grades.csv. */
  work: CourseWork;
  /** autograde and generate_feedback as jobs. */
  jobs: CourseJobs;
  /** Students added or imported (users made when missing). */
  enrollment: CourseEnrollment;
  /** grades.csv, by pseudonym while an assignment is graded anonymously. */
  gradebook: GradebookReports;
}

type CourseParams = { Params: { course: string } };
type AssignmentParams = { Params: { course: string; assignment: string } };
type JobParams = { Params: { course: string; id: string } };
type StudentParams = { Params: { course: string; student: string } };
type ForceQuery = { Querystring: { force?: string } };

/** `?force=true` (or 1): remove even when grades would go with it, as nbgrader's --force. */
const forced = (query: { force?: string }) => query.force === 'true' || query.force === '1';

/** A job as the API shows it: no database ids other than its own. */
function jobJson(course: string, job: JobRow) {
  return {
    id: job.id,
    course,
    kind: job.kind,
    assignment: job.assignment,
    options: job.options,
    state: job.state,
    done: job.done,
    total: job.total,
    failed: job.failed,
    message: job.message,
    result: job.result,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
  };
}

/**
 * The course's own refusals (a due date that is no date, a source notebook generate cannot
 * convert, an id the gradebook refuses) answer 400 with their message and hint; the errors the
 * API maps already (roles, missing courses) keep their status.
 */
async function asRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CoursehubError && toApiError(error) === undefined)
      throw new ApiError(400, error.message, { hint: error.hint, cause: error });
    throw error;
  }
}

export function registerCourseWorkRoutes(api: FastifyInstance, deps: CourseWorkApiDeps): void {
  const { work, jobs, enrollment } = deps;

  api.delete<AssignmentParams & ForceQuery>(
    '/courses/:course/assignments/:assignment',
    async (request, reply) => {
      const actor = actorFor(request, 'courses:manage');
      const { course, assignment } = request.params;
      await asRequest(() => work.removeAssignment(course, assignment, forced(request.query), actor));
      return reply.code(204).send();
    },
  );

  api.put<StudentParams>('/courses/:course/students/:student', async (request) => {
    const actor = actorFor(request, 'courses:manage');
    const { course, student } = request.params;
    // The role before the body: a caller who may not do this learns nothing from a 400.
    await work.courseFor(course, actor, INSTRUCTOR);
    const body = objectBody(request.body, true);
    const report = await asRequest(() =>
      enrollment.addStudent(course, {
        id: student,
        firstName: optionalString(body.first_name, 'first_name') ?? null,
        lastName: optionalString(body.last_name, 'last_name') ?? null,
        email: optionalString(body.email, 'email') ?? null,
      }),
    );
    return { id: report.enrolled.student[0], createdUser: report.createdUsers.length > 0 };
  });

  api.delete<StudentParams & ForceQuery>('/courses/:course/students/:student', async (request, reply) => {
    const actor = actorFor(request, 'courses:manage');
    const { course, student } = request.params;
    await asRequest(() => work.removeStudent(course, student, forced(request.query), actor));
    return reply.code(204).send();
  });

  api.post<CourseParams>('/courses/:course/students/import', async (request) => {
    const actor = actorFor(request, 'courses:manage');
    const { course } = request.params;
    await work.courseFor(course, actor, INSTRUCTOR);
    const body = objectBody(request.body);
    const csv = optionalString(body.csv, 'csv');
    if (csv === undefined) throw new ApiError(400, 'The body needs csv: the text of the students CSV file.');
    const label = optionalString(body.file, 'file') ?? 'the CSV file';
    const rows = await asRequest(async () => parseStudentsCsv(Buffer.from(csv, 'utf8'), label));
    const report = await asRequest(() => enrollment.importStudents(course, rows, label));
    return { imported: rows.map((row) => row.id), createdUsers: report.createdUsers };
  });

  api.get<CourseParams>('/courses/:course/assignments', async (request) => {
    return work.assignments(request.params.course, actorFor(request, 'courses:grade'));
  });

  api.put<AssignmentParams>('/courses/:course/assignments/:assignment', async (request) => {
    const actor = actorFor(request, 'courses:manage');
    const body = objectBody(request.body, true);
    // null or '' clears the due date; leaving it out keeps the one there is.
    const duedate = body.duedate === null ? '' : optionalString(body.duedate, 'duedate');
    return asRequest(() =>
      work.addAssignment(request.params.course, request.params.assignment, duedate, actor),
    );
  });

  api.post<AssignmentParams>('/courses/:course/assignments/:assignment/generate', async (request) => {
    const actor = actorFor(request, 'courses:manage');
    return asRequest(() => work.generate(request.params.course, request.params.assignment, actor));
  });

  api.post<AssignmentParams>('/courses/:course/assignments/:assignment/autograde', async (request, reply) => {
    const actor = actorFor(request, 'courses:grade');
    const { course, assignment } = request.params;
    const body = objectBody(request.body, true);
    const job = await asRequest(() =>
      jobs.start(course, 'autograde', assignment, actor, {
        student: optionalString(body.student, 'student'),
        force: optionalBoolean(body.force, 'force'),
      }),
    );
    return reply.code(202).send(jobJson(course, job));
  });

  api.post<AssignmentParams>(
    '/courses/:course/assignments/:assignment/feedback/generate',
    async (request, reply) => {
      const actor = actorFor(request, 'courses:grade');
      const { course, assignment } = request.params;
      const body = objectBody(request.body, true);
      const job = await asRequest(() =>
        jobs.start(course, 'generate_feedback', assignment, actor, {
          student: optionalString(body.student, 'student'),
          force: optionalBoolean(body.force, 'force'),
        }),
      );
      return reply.code(202).send(jobJson(course, job));
    },
  );

  api.get<JobParams>('/courses/:course/jobs/:id', async (request) => {
    const actor = actorFor(request, 'courses:grade');
    const { course, id } = request.params;
    // A job id that is no number is no job of the course: the same 404 as a missing one.
    const job = await jobs.find(course, /^\d{1,15}$/.test(id) ? Number(id) : -1, actor);
    return jobJson(course, job);
  });

  api.get<CourseParams>('/courses/:course/grades.csv', async (request, reply) => {
    const csv = await deps.gradebook.gradesCsv(request.params.course, actorFor(request, 'courses:grade'));
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  api.get<CourseParams>('/courses/:course/students', async (request) => {
    return work.students(request.params.course, actorFor(request, 'courses:grade'));
  });
}
