/**
 * The assignment editor (instructors of the course; admins as instructors):
 *   GET  /hub/courses/:course/editor/:assignment             the source notebooks of the assignment
 *   GET  /hub/courses/:course/editor/:assignment/:notebook   one notebook with each cell's marks
 *   POST /hub/courses/:course/editor/:assignment/:notebook   save the marks (a plain form; CSRF by the login hook)
 * Graders, students and strangers get the refusal page of the other course pages, with nothing of
 * the course in it. A refused save shows nbgrader's message above the marks as they were posted
 * (so nothing typed is lost) and leaves the file as it was.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StaleSourceNotebookError, SourceNotebookNotFoundError } from '../../course/index.js';
import { CourseNotFoundError, CourseRoleError } from '../../exchange/errors.js';
import type { AssignmentEditor } from '../../hub/courses/assignment-editor.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { parsePoints, type CellMarks, type MarkType } from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { formField, sendHtml } from '../respond.js';
import { refusalPage, sessionCaller } from './course-page-answers.js';
import { editorListPage, editorPage } from './editor-page.js';
import { editorUrls } from './editor-urls.js';
import { GRADING_CONTENT_SECURITY_POLICY } from './grading-routes.js';

type EditorParams = {
  Params: { course: string; assignment: string; notebook?: string };
  Querystring: { saved?: string };
};

const errorStatus = (error: CoursehubError) =>
  error instanceof CourseRoleError
    ? 403
    : error instanceof CourseNotFoundError || error instanceof SourceNotebookNotFoundError
      ? 404
      : error instanceof StaleSourceNotebookError
        ? 409
        : 400;

/** nbgrader's toolbar names a new cell `cell-` and 16 hex digits. */
const newGradeId = () => `cell-${randomBytes(8).toString('hex')}`;

function postedMarks(body: unknown): CellMarks[] {
  const count = Number(formField(body, 'cells'));
  if (!Number.isSafeInteger(count) || count < 0 || count > 100_000) return [];
  return Array.from({ length: count }, (_, index) => ({
    type: formField(body, `type-${index}`) as MarkType,
    gradeId: formField(body, `id-${index}`),
    points: parsePoints(formField(body, `points-${index}`)),
  }));
}

export function registerEditorPages(
  app: FastifyInstance,
  deps: { editor: AssignmentEditor; urls: HubUrls },
): void {
  const { editor, urls } = deps;
  const base = urls.hub('courses/:course/editor/:assignment');

  const caller = (request: FastifyRequest, reply: FastifyReply) => sessionCaller(request, reply, urls);
  const actorOf = (identity: Identity) => ({ name: identity.user.name, admin: identity.user.admin });

  const refusal = (request: FastifyRequest, reply: FastifyReply, identity: Identity, error: CoursehubError) =>
    refusalPage(request, reply, urls, identity.user, error, errorStatus(error));

  app.get<EditorParams>(base, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { course, assignment } = request.params;
    try {
      const notebooks = await editor.notebooks(course, assignment, actorOf(identity));
      return sendHtml(
        reply,
        200,
        editorListPage({
          urls,
          user: identity.user,
          csrfToken: request.session?.csrfToken,
          course,
          assignment,
          notebooks,
        }),
      );
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      return refusal(request, reply, identity, error);
    }
  });

  app.get<EditorParams>(`${base}/:notebook`, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { course, assignment, notebook } = request.params;
    try {
      const view = await editor.open(course, assignment, notebook!, actorOf(identity));
      void reply.header('content-security-policy', GRADING_CONTENT_SECURITY_POLICY);
      return sendHtml(
        reply,
        200,
        editorPage({
          urls,
          user: identity.user,
          csrfToken: request.session?.csrfToken,
          flash: request.query.saved === '1' ? { kind: 'info', text: `Saved ${view.label}.` } : undefined,
          view,
          marks: view.marks,
          newId: newGradeId,
        }),
      );
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      return refusal(request, reply, identity, error);
    }
  });

  app.post<EditorParams>(`${base}/:notebook`, async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { course, assignment, notebook } = request.params;
    const actor = actorOf(identity);
    const marks = postedMarks(request.body);
    try {
      await editor.save(course, assignment, notebook!, actor, formField(request.body, 'version'), marks);
      return reply.redirect(`${editorUrls(urls, course, assignment).notebook(notebook!)}?saved=1`, 303);
    } catch (error) {
      if (!(error instanceof CoursehubError)) throw error;
      const status = errorStatus(error);
      if (status === 403 || status === 404) return refusal(request, reply, identity, error);
      // The notebook as it is on disk, with the marks as they were posted (a stale save: as on disk).
      // (A refusal of the course, folder or name itself refuses the page as well: said alone.)
      const view = await editor.open(course, assignment, notebook!, actor).catch((reopen: unknown) => {
        if (reopen instanceof CoursehubError) return undefined;
        throw reopen;
      });
      if (!view) return refusal(request, reply, identity, error);
      const keepPosted = status !== 409 && marks.length === view.marks.length;
      void reply.header('content-security-policy', GRADING_CONTENT_SECURITY_POLICY);
      return sendHtml(
        reply,
        status,
        editorPage({
          urls,
          user: identity.user,
          csrfToken: request.session?.csrfToken,
          flash: { kind: 'error', text: `Nothing was saved. ${error.describe()}` },
          view,
          marks: keepPosted ? marks : view.marks,
          // The ids as posted: an empty one stays empty, as nbgrader's message says.
          newId: () => (keepPosted ? '' : newGradeId()),
        }),
      );
    }
  });
}
