/**
 * What every course page (the course page, grading, gradebook, editor) does around its own work:
 * a signed-in browser user or a trip to the login page, and a refusal (no such course, not your
 * role, a bad request) shown as a page with the reason, never a stack.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CourseNotFoundError, CourseRoleError } from '../../exchange/errors.js';
import type { Identity } from '../../hub/identity.js';
import type { HubUrls } from '../../hub/urls.js';
import { CoursehubError } from '../../util/errors.js';
import { html, page } from '../layout.js';
import { loginUrlFor } from '../login/safe-next.js';
import { sendHtml } from '../respond.js';

/** 403 for a role the caller lacks, 404 for a course that is not there, else 400. */
export function courseErrorStatus(error: CoursehubError): number {
  return error instanceof CourseRoleError ? 403 : error instanceof CourseNotFoundError ? 404 : 400;
}

/** The signed-in browser user, or undefined after sending them to log in (back here on a GET). */
export function sessionCaller(
  request: FastifyRequest,
  reply: FastifyReply,
  urls: HubUrls,
): Identity | undefined {
  if (request.identity?.kind === 'session') return request.identity;
  void reply.redirect(loginUrlFor(request.method === 'GET' ? request.url : urls.hub('home'), urls), 302);
  return undefined;
}

/** A refusal as a page: the error's own words, and a way home. */
export function refusalPage(
  request: FastifyRequest,
  reply: FastifyReply,
  urls: HubUrls,
  user: Identity['user'],
  error: CoursehubError,
  status = courseErrorStatus(error),
) {
  return sendHtml(
    reply,
    status,
    page({
      urls,
      title: 'Not possible',
      user,
      csrfToken: request.session?.csrfToken,
      flash: { kind: 'error', text: error.describe() },
      body: html`<p><a href="${urls.hub('home')}">Go to your home page</a></p>`,
    }),
  );
}

/** Runs a page's work for the signed-in caller: its HTML (200), its own reply, or the refusal. */
export async function answerCoursePage(
  request: FastifyRequest,
  reply: FastifyReply,
  urls: HubUrls,
  work: (identity: Identity) => Promise<FastifyReply | string>,
) {
  const identity = sessionCaller(request, reply, urls);
  if (!identity) return reply;
  try {
    const result = await work(identity);
    return typeof result === 'string' ? sendHtml(reply, 200, result) : result;
  } catch (error) {
    if (!(error instanceof CoursehubError)) throw error;
    return refusalPage(request, reply, urls, identity.user, error);
  }
}
