/**
 * The gradebook pages (instructors and graders of the course; admins as instructors):
 *   GET /hub/courses/:course/gradebook                                students x assignments (?page=N, 100 a page)
 *   GET /hub/courses/:course/gradebook/students/:student/:assignment  a student's assignment by notebook and cell
 *   GET /hub/courses/:course/gradebook/analytics/:assignment          the assignment's charts
 *   GET /hub/courses/:course/gradebook/grades.csv                     nbgrader's grades.csv columns
 *   GET /hub/courses/:course/gradebook/cells.csv                      every graded cell of every submission
 * Students and strangers get the same refusal page as the other course pages (403 / 404), with
 * nothing of the course in it, for the CSVs too. No script on these pages: the hub's CSP as is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GradebookReports } from '../../hub/courses/gradebook-reports.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { analyticsPage } from './analytics-page.js';
import { answerCoursePage } from './course-page-answers.js';
import { gradebookPage, studentAssignmentPage } from './gradebook-page.js';

type GradebookParams = {
  Params: { course: string; assignment?: string; student?: string };
  Querystring: { page?: string };
};

export function registerGradebookPages(
  app: FastifyInstance,
  deps: { gradebook: GradebookReports; urls: HubUrls },
): void {
  const { gradebook, urls } = deps;
  const base = urls.hub('courses/:course/gradebook');
  const actorOf = (identity: Identity) => ({ name: identity.user.name, admin: identity.user.admin });

  const answer = (
    request: FastifyRequest<GradebookParams>,
    reply: FastifyReply,
    work: (identity: Identity) => Promise<FastifyReply | string>,
  ) => answerCoursePage(request, reply, urls, work);

  const csv = (reply: FastifyReply, name: string, text: string) =>
    reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(text);

  app.get<GradebookParams>(base, (request, reply) =>
    answer(request, reply, async (identity) =>
      gradebookPage({
        urls,
        user: identity.user,
        csrfToken: request.session?.csrfToken,
        view: await gradebook.overview(
          request.params.course,
          actorOf(identity),
          Number(request.query.page ?? 1),
        ),
      }),
    ),
  );

  app.get<GradebookParams>(`${base}/grades.csv`, (request, reply) =>
    answer(request, reply, async (identity) =>
      csv(reply, 'grades.csv', await gradebook.gradesCsv(request.params.course, actorOf(identity))),
    ),
  );

  app.get<GradebookParams>(`${base}/cells.csv`, (request, reply) =>
    answer(request, reply, async (identity) =>
      csv(reply, 'cells.csv', await gradebook.cellsCsv(request.params.course, actorOf(identity))),
    ),
  );

  app.get<GradebookParams>(`${base}/students/:student/:assignment`, (request, reply) =>
    answer(request, reply, async (identity) =>
      studentAssignmentPage({
        urls,
        user: identity.user,
        csrfToken: request.session?.csrfToken,
        view: await gradebook.studentAssignment(
          request.params.course,
          request.params.student!,
          request.params.assignment!,
          actorOf(identity),
        ),
      }),
    ),
  );

  app.get<GradebookParams>(`${base}/analytics/:assignment`, (request, reply) =>
    answer(request, reply, async (identity) =>
      analyticsPage({
        urls,
        user: identity.user,
        csrfToken: request.session?.csrfToken,
        view: await gradebook.analytics(request.params.course, request.params.assignment!, actorOf(identity)),
      }),
    ),
  );
}
