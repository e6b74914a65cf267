/**
 * /hub/api/courses: courses, roles and the exchange (src/exchange/) over HTTP. Two checks on every
 * route: the token's scopes (`read:courses`, `courses:submit`, `courses:grade`, `courses:manage`,
 * `admin:courses`; every user holds them for themselves as `courses!user=NAME`, a user's server
 * token too) and then the caller's role in that course, which the exchange checks (an instructor
 * of one course has no rights in another; a grader cannot release or change roles). A caller with
 * `admin:courses` (an admin's login or full token) may act in every course.
 */
import { isAbsolute } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CourseService, CourseRoleName } from '../../exchange/courses/course-service.js';
import type { Exchange } from '../../exchange/exchange.js';
import { ApiError } from './api-error.js';
import { requireScope } from './authorize.js';
import { actorFor } from './course-actor.js';
import { objectBody, optionalBoolean, optionalString } from './body.js';
import { registerCourseWorkRoutes, type CourseWorkApiDeps } from './course-work-routes.js';
import type { Formgrader } from '../courses/formgrader.js';
import { registerGradingRoutes } from './grading-routes.js';

/** With an instructor's work on the course (./course-work-routes.ts). */
export interface CourseApiDeps extends CourseWorkApiDeps {
  courses: CourseService;
  exchange: Exchange;
  /** Grading by hand (./grading-routes.ts). */
  formgrader: Formgrader;
}

type CourseParams = { Params: { course: string } };
type AssignmentParams = { Params: { course: string; assignment: string } };
type RoleParams = { Params: { course: string; user: string } };

const ROLES: readonly CourseRoleName[] = ['instructor', 'grader', 'student'];

export function registerCourseRoutes(api: FastifyInstance, deps: CourseApiDeps): void {
  const { courses, exchange } = deps;

  api.get('/courses', async (request) => {
    const actor = actorFor(request, 'read:courses');
    const list = actor.admin
      ? (await courses.all()).map((course) => ({ ...course, role: null }))
      : await courses.coursesOf(actor.name);
    return list.map((course) => ({ id: course.name, title: course.title, role: course.role }));
  });

  api.post('/courses', async (request, reply) => {
    requireScope(request, 'admin:courses');
    const body = objectBody(request.body);
    const id = optionalString(body.id, 'id');
    if (!id) throw new ApiError(400, 'Give the course id as "id".');
    const directory = optionalString(body.directory, 'directory');
    // The hub's working directory means nothing to an API caller: only an absolute path.
    if (directory !== undefined && !isAbsolute(directory))
      throw new ApiError(
        400,
        `"directory" must be an absolute path (or left out for DATA_DIR/courses/${id}).`,
      );
    const made = await courses.create({ id, title: optionalString(body.title, 'title'), directory });
    return reply.code(201).send({ id: made.name, title: made.title, directory: made.directory });
  });

  api.get<CourseParams>('/courses/:course', async (request) => {
    const actor = actorFor(request, 'read:courses');
    return exchange.list(request.params.course, actor);
  });

  api.get<CourseParams>('/courses/:course/members', async (request) => {
    const actor = actorFor(request, 'courses:grade');
    const course = request.params.course;
    if (!actor.admin) await courses.requireRole(course, actor.name, ['instructor', 'grader']);
    return (await courses.members(course)).map((m) => ({ name: m.userName, role: m.role }));
  });

  api.put<RoleParams>('/courses/:course/members/:user', async (request) => {
    const actor = actorFor(request, 'courses:manage');
    const { course, user } = request.params;
    if (!actor.admin) await courses.requireRole(course, actor.name, ['instructor']);
    const role = objectBody(request.body).role;
    if (typeof role !== 'string' || !ROLES.includes(role as CourseRoleName))
      throw new ApiError(400, `"role" must be one of ${ROLES.join(', ')}.`);
    await courses.enroll(course, [{ name: user, role: role as CourseRoleName }]);
    return { name: user, role };
  });

  api.delete<RoleParams>('/courses/:course/members/:user', async (request, reply) => {
    const actor = actorFor(request, 'courses:manage');
    const { course, user } = request.params;
    if (!actor.admin) await courses.requireRole(course, actor.name, ['instructor']);
    if (!(await courses.unenroll(course, user))) throw new ApiError(404, `${user} has no role in ${course}.`);
    return reply.code(204).send();
  });

  const assignment = (path: string) => `/courses/:course/assignments/:assignment${path}`;

  api.post<AssignmentParams>(assignment('/release'), async (request) => {
    const { course, assignment: name } = request.params;
    return exchange.release(course, name, actorFor(request, 'courses:manage'));
  });

  api.delete<AssignmentParams>(assignment('/release'), async (request) => {
    const { course, assignment: name } = request.params;
    return exchange.unrelease(course, name, actorFor(request, 'courses:manage'));
  });

  api.post<AssignmentParams>(assignment('/fetch'), async (request) => {
    const { course, assignment: name } = request.params;
    return exchange.fetch(course, name, actorFor(request, 'courses:submit'));
  });

  api.post<AssignmentParams>(assignment('/submit'), async (request, reply) => {
    const { course, assignment: name } = request.params;
    return reply.code(201).send(await exchange.submit(course, name, actorFor(request, 'courses:submit')));
  });

  api.post<AssignmentParams>(assignment('/collect'), async (request) => {
    const { course, assignment: name } = request.params;
    const actor = actorFor(request, 'courses:grade');
    const body = objectBody(request.body, true);
    return exchange.collect(course, name, actor, {
      student: optionalString(body.student, 'student'),
      update: optionalBoolean(body.update, 'update'),
    });
  });

  api.post<AssignmentParams>(assignment('/feedback/release'), async (request) => {
    const { course, assignment: name } = request.params;
    const actor = actorFor(request, 'courses:grade');
    const body = objectBody(request.body, true);
    return exchange.releaseFeedback(course, name, actor, {
      student: optionalString(body.student, 'student'),
    });
  });

  api.post<AssignmentParams>(assignment('/feedback/fetch'), async (request) => {
    const { course, assignment: name } = request.params;
    return exchange.fetchFeedback(course, name, actorFor(request, 'courses:submit'));
  });

  registerCourseWorkRoutes(api, deps);
  registerGradingRoutes(api, deps);
}
