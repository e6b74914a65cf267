/**
 * Wires sessions into Fastify: every request gets `request.session` (the resolved server-side
 * session, or null), and every state-changing cookie request is checked for its CSRF token.
 * Registered on the root instance before other areas' routes, so their routes get both for free.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { enforceCsrf, XSRF_COOKIE_NAME } from './csrf.js';
import { SESSION_COOKIE_NAME } from './session-cookie.js';
import type { CreatedSession, ResolvedSession, SessionStore } from './session-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in browser session, or null (no cookie, bad signature, revoked, expired). */
    session: ResolvedSession | null;
  }
}

export interface SessionCookieOptions {
  /** Secure cookies when the hub's public URL is https. */
  secure: boolean;
  maxAgeSeconds: number;
  /**
   * hub.baseUrl: the cookie goes with every request under it, the hub's pages and users' servers
   * alike (the proxy checks it there).
   */
  path: string;
}

export interface SessionHookOptions {
  /** Where the REST API is (its CSRF refusals are JSON rather than text), e.g. /hub/api. */
  apiPrefix: string;
}

export async function registerSessionHooks(
  app: FastifyInstance,
  store: SessionStore,
  options: SessionHookOptions,
): Promise<void> {
  if (!app.hasPlugin('@fastify/cookie')) await app.register(fastifyCookie);
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const raw = request.cookies[SESSION_COOKIE_NAME];
    request.session = raw ? await store.resolve(raw) : null;
  });
  const csrf = enforceCsrf(options.apiPrefix);
  app.addHook('preHandler', csrf);
}

export function setSessionCookie(
  reply: FastifyReply,
  session: CreatedSession,
  options: SessionCookieOptions,
): void {
  reply.setCookie(SESSION_COOKIE_NAME, session.cookieValue, {
    path: options.path,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    maxAge: options.maxAgeSeconds,
  });
  // The session's CSRF token where JupyterHub's clients look for it (see XSRF_COOKIE_NAME);
  // readable by scripts of this origin by design, as JupyterHub's.
  reply.setCookie(XSRF_COOKIE_NAME, session.csrfToken, {
    path: xsrfCookiePath(options),
    sameSite: 'lax',
    secure: options.secure,
    maxAge: options.maxAgeSeconds,
  });
}

/** BASE/hub/: the hub's pages and API, never users' servers. */
export function xsrfCookiePath(options: Pick<SessionCookieOptions, 'path'>): string {
  return `${options.path.replace(/\/?$/, '/')}hub/`;
}

export function clearSessionCookie(reply: FastifyReply, options: SessionCookieOptions): void {
  reply.clearCookie(SESSION_COOKIE_NAME, {
    path: options.path,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
  });
  reply.clearCookie(XSRF_COOKIE_NAME, {
    path: xsrfCookiePath(options),
    sameSite: 'lax',
    secure: options.secure,
  });
}
