/**
 * CSRF protection for cookie-authenticated requests. A browser sends the session cookie with any
 * request a foreign page makes it send; only pages we rendered know the session's CSRF token. So
 * every state-changing request that rides on the cookie must echo the token, in the form field
 * `_xsrf` or the header `X-XSRF-Token`, `X-XSRFToken` or `X-CSRFToken` (JupyterHub's names). Requests that were in fact
 * authenticated by an API token (`request.identity.kind === 'token'`, set by src/hub/identity.ts)
 * carry no ambient credential and are exempt. The check asks the identity rather than looking at
 * the header itself: a malformed header (`token a b`) identifies nobody, so the cookie does, and
 * a request the cookie identifies must carry the CSRF token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSRF_FORM_FIELD = '_xsrf';
export const CSRF_HEADER = 'x-xsrf-token';
/**
 * The other headers JupyterHub's clients send the token in (tornado's `X-XSRFToken` and
 * `X-CSRFToken`; Node lower-cases header names).
 */
export const JUPYTERHUB_CSRF_HEADERS = ['x-xsrftoken', 'x-csrftoken'] as const;
/**
 * The cookie that hands a page's (or script's) CSRF token to JupyterHub's clients, which read it
 * and echo it in `X-XSRFToken` or the `_xsrf` field. Only a copy: the check compares with the
 * token kept server-side in the session (or, before login, with the login form's own cookie), so
 * a cookie set by someone else proves nothing. Its path is BASE/hub/, as JupyterHub's, so that it
 * never reaches users' servers, whose Jupyter keeps its own `_xsrf` cookie under /user/NAME/.
 */
export const XSRF_COOKIE_NAME = '_xsrf';

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The CSRF token a request presents, if any: the form/JSON body field or the query's `_xsrf`
 * (JupyterHub's spawn form posts it there), then the headers.
 */
export function presentedCsrfToken(request: FastifyRequest): string | undefined {
  const body = request.body;
  if (body && typeof body === 'object' && CSRF_FORM_FIELD in body) {
    const field = (body as Record<string, unknown>)[CSRF_FORM_FIELD];
    if (typeof field === 'string' && field) return field;
  }
  const query = request.query as Record<string, unknown> | undefined;
  const inQuery = query?.[CSRF_FORM_FIELD];
  if (typeof inQuery === 'string' && inQuery) return inQuery;
  for (const name of [CSRF_HEADER, ...JUPYTERHUB_CSRF_HEADERS]) {
    const header = request.headers[name];
    if (typeof header === 'string' && header) return header;
  }
  return undefined;
}

export const CSRF_REFUSAL =
  'This request was refused because it did not carry the page’s security (CSRF) token. Reload the page and try again; scripts must send the X-XSRF-Token header or use an API token.';

/**
 * The preHandler hook (runs after the body is parsed, so the form field is visible). It returns
 * the reply when it refused the request, so Fastify stops there; refusals under `apiPrefix` (the
 * REST API, e.g. /hub/api) are JSON.
 */
export function enforceCsrf(
  apiPrefix: string,
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return (request, reply) => checkCsrf(request, reply, apiPrefix);
}

async function checkCsrf(request: FastifyRequest, reply: FastifyReply, apiPrefix: string): Promise<unknown> {
  if (!STATE_CHANGING.has(request.method)) return undefined;
  if (request.identity?.kind === 'token') {
    // The token decides who this is; the cookie that came along must not lend its authority to
    // a request that skipped the CSRF check.
    request.session = null;
    return undefined;
  }
  const session = request.session;
  // No session: nothing ambient to abuse. Routes that need a user refuse on their own.
  if (!session) return undefined;
  const presented = presentedCsrfToken(request);
  if (presented && tokensEqual(presented, session.csrfToken)) return undefined;
  request.log.warn({ user: session.userName, url: request.url }, 'CSRF token missing or wrong');
  const wantsJson =
    request.url.startsWith(apiPrefix) || (request.headers.accept ?? '').includes('application/json');
  if (wantsJson) return reply.code(403).send({ status: 403, message: CSRF_REFUSAL });
  return reply.code(403).type('text/plain; charset=utf-8').send(CSRF_REFUSAL);
}
