/**
 * The grading pages (instructors and graders of the course; admins as instructors):
 *   GET  /hub/courses/:course/grading/:assignment                      the submissions (?sort, order, state, q)
 *   GET  /hub/courses/:course/grading/:assignment/:student/:notebook   grade one notebook (?index=N: the box to focus)
 *   GET  /hub/courses/:course/grading/:assignment/question/:notebook/:cell   one graded cell for every student
 *   POST /hub/courses/:course/grading/:assignment/anonymous            anonymous grading on / off (instructors)
 *   GET  /hub/grading.js, /hub/static/notebook.css                     the page's script and notebook styles
 * Saving goes through the REST API (src/hub/api/grading-routes.ts). Students and strangers get
 * the same refusal page as the other course pages, with nothing of the course in it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Formgrader } from '../../hub/courses/formgrader.js';
import {
  SUBMISSION_STATES,
  type ListQuery,
  type SubmissionState,
} from '../../hub/courses/formgrader-views.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { NOTEBOOK_CSS } from '../../render/index.js';
import { formField } from '../respond.js';
import { CONTENT_SECURITY_POLICY } from '../security-headers.js';
import { answerCoursePage } from './course-page-answers.js';
import { GRADING_CSS, gradingPage } from './grading-page.js';
import { GRADING_SCRIPT } from './grading-script.js';
import { gradingScriptPath, gradingUrls, notebookStylesheetPath } from './grading-urls.js';
import { questionPage } from './question-page.js';
import { submissionsPage } from './submissions-page.js';

type GradingParams = {
  Params: { course: string; assignment: string; student?: string; notebook?: string; cell?: string };
  Querystring: Record<string, string | undefined>;
};

function listQuery(query: Record<string, string | undefined>): ListQuery {
  const sort = query.sort;
  return {
    sort:
      sort === 'timestamp' || sort === 'state' || sort === 'score' || sort === 'student' ? sort : undefined,
    order: query.order === 'desc' ? 'desc' : query.order === 'asc' ? 'asc' : undefined,
    state: (SUBMISSION_STATES as readonly string[]).includes(query.state ?? '')
      ? (query.state as SubmissionState)
      : undefined,
    search: query.q || undefined,
    page: Number(query.page) || undefined,
  };
}

/**
 * The grading page's policy: the hub's, and style attributes in the notebook's sanitized HTML
 * (ANSI colours, table alignment; the sanitizer keeps only colour, weight, slant, decoration and
 * alignment, nothing that can move or size a box). <style> elements and style files from anywhere
 * but the hub stay refused.
 */
export const GRADING_CONTENT_SECURITY_POLICY = `${CONTENT_SECURITY_POLICY}; style-src-attr 'unsafe-inline'`;

export function registerGradingPages(
  app: FastifyInstance,
  deps: { formgrader: Formgrader; urls: HubUrls },
): void {
  const { formgrader, urls } = deps;
  const base = urls.hub('courses/:course/grading/:assignment');

  const answer = (
    request: FastifyRequest<GradingParams>,
    reply: FastifyReply,
    work: (identity: Identity) => Promise<FastifyReply | string>,
  ) => answerCoursePage(request, reply, urls, work);

  const actorOf = (identity: Identity) => ({ name: identity.user.name, admin: identity.user.admin });

  app.get(gradingScriptPath(urls), async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(GRADING_SCRIPT),
  );
  app.get(notebookStylesheetPath(urls), async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(NOTEBOOK_CSS + GRADING_CSS),
  );

  app.get<GradingParams>(base, (request, reply) =>
    answer(request, reply, async (identity) => {
      const query = listQuery(request.query);
      const list = await formgrader.submissions(
        request.params.course,
        request.params.assignment,
        actorOf(identity),
        query,
      );
      return submissionsPage({
        urls,
        user: identity.user,
        csrfToken: request.session?.csrfToken,
        list,
        query,
      });
    }),
  );

  app.post<GradingParams>(`${base}/anonymous`, (request, reply) =>
    answer(request, reply, async (identity) => {
      const { course, assignment } = request.params;
      await formgrader.setAnonymous(
        course,
        assignment,
        formField(request.body, 'anonymous') === 'yes',
        actorOf(identity),
      );
      return reply.redirect(gradingUrls(urls, course, assignment).list, 303);
    }),
  );

  app.get<GradingParams>(`${base}/question/:notebook/:cell`, (request, reply) =>
    answer(request, reply, async (identity) => {
      const { course, assignment, notebook, cell } = request.params;
      const page = Number((request.query as { page?: string } | undefined)?.page ?? 1);
      const view = await formgrader.question(course, assignment, notebook!, cell!, actorOf(identity), {
        page: Number.isFinite(page) ? page : 1,
      });
      void reply.header('content-security-policy', GRADING_CONTENT_SECURITY_POLICY);
      return questionPage({ urls, user: identity.user, csrfToken: request.session?.csrfToken, view });
    }),
  );

  app.get<GradingParams>(`${base}/:student/:notebook`, (request, reply) =>
    answer(request, reply, async (identity) => {
      const { course, assignment, student, notebook } = request.params;
      const view = await formgrader.submission(course, assignment, student!, notebook!, actorOf(identity));
      void reply.header('content-security-policy', GRADING_CONTENT_SECURITY_POLICY);
      return gradingPage({ urls, user: identity.user, csrfToken: request.session?.csrfToken, view });
    }),
  );
}
