/**
 * /hub/login (form or "Sign in with ..."), the OAuth/OIDC redirect and callback, /hub/logout and
 * /hub/not-allowed, all under hub.baseUrl. A successful login always makes a fresh session (never
 * reusing an id the browser had before) and lands on `next` only if that is a path on this hub.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../../hub/auth/authenticator.js';
import { presentedCsrfToken, tokensEqual, XSRF_COOKIE_NAME } from '../../hub/auth/csrf.js';
import { LoginLockedError, OAuthCallbackError } from '../../hub/auth/errors.js';
import { clearSessionCookie, setSessionCookie } from '../../hub/auth/session-hook.js';
import { loginPage, messagePage, notAllowedPage } from './pages.js';
import type { LoginDeps } from './deps.js';
import { safeNextPath } from './safe-next.js';
import { sendHtml, formField } from '../respond.js';

/** Double-submit token for the login form itself (no session exists yet to hold one). */
const LOGIN_XSRF_COOKIE = 'coursehub-login-xsrf';
/** Binds an OAuth `state` to the browser that started the login. */
const OAUTH_STATE_COOKIE = 'coursehub-oauth-state';

type Query = Record<string, string | undefined>;

export function registerLoginRoutes(app: FastifyInstance, deps: LoginDeps): void {
  const { auth, users, urls } = deps;
  const { authenticator, sessions } = auth;

  function loginXsrf(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[LOGIN_XSRF_COOKIE];
    const value =
      existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
    if (value !== existing)
      reply.setCookie(LOGIN_XSRF_COOKIE, value, {
        path: urls.hub(),
        httpOnly: true,
        sameSite: 'strict',
        secure: auth.cookie.secure,
      });
    // The same value where JupyterHub's clients (hubtraf, scripts) read it, to echo in the `_xsrf`
    // field or the X-XSRFToken header. The check below still compares with the httpOnly cookie.
    if (request.cookies[XSRF_COOKIE_NAME] !== value)
      reply.setCookie(XSRF_COOKIE_NAME, value, {
        path: urls.hub(),
        sameSite: 'strict',
        secure: auth.cookie.secure,
      });
    return value;
  }

  /** Allowed users get a fresh session and go to `next`; others see the not-allowed page. */
  async function completeLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    user: AuthenticatedUser,
    next: string,
  ): Promise<FastifyReply> {
    const allowed = await users.get(user.name);
    if (!allowed) {
      request.log.info(
        { user: user.name, authenticator: authenticator.name },
        'login refused: not an allowed user',
      );
      return sendHtml(reply, 403, notAllowedPage(urls, user.name, auth.adminContact));
    }
    if (request.session) await sessions.revoke(request.session.sessionId);
    const session = await sessions.create(allowed.name);
    setSessionCookie(reply, session, auth.cookie);
    // A login is activity (JupyterHub records it too): the admin console sorts and culls by it.
    await users.touch(allowed.name);
    request.log.info({ user: allowed.name, authenticator: authenticator.name }, 'login');
    if (auth.localAccounts && (await auth.localAccounts.mustChange(allowed.name)))
      return reply.redirect(`${urls.hub('change-password')}?next=${encodeURIComponent(next)}`, 302);
    // 302, as JupyterHub answers a login (its clients, e.g. hubtraf, check for exactly that).
    return reply.redirect(next, 302);
  }

  app.get(urls.hub('login'), async (request, reply) => {
    const query = request.query as Query;
    const next = safeNextPath(query.next, urls);
    if (request.session) return reply.redirect(next, 303);
    const flash =
      query.logged_out !== undefined ? { kind: 'info' as const, text: 'You are signed out.' } : undefined;
    return sendHtml(
      reply,
      200,
      loginPage({ urls, authenticator, next, loginXsrf: loginXsrf(request, reply), flash }),
    );
  });

  app.post(urls.hub('login'), async (request, reply) => {
    const next = safeNextPath(formField(request.body, 'next'), urls);
    const username = formField(request.body, 'username');
    const render = (status: number, text: string) =>
      sendHtml(
        reply,
        status,
        loginPage({
          urls,
          authenticator,
          next,
          username,
          loginXsrf: loginXsrf(request, reply),
          flash: { kind: 'error', text },
        }),
      );
    if (authenticator.kind !== 'form')
      return render(400, `Sign in with ${authenticator.buttonLabel} instead.`);
    const cookieToken = request.cookies[LOGIN_XSRF_COOKIE] ?? '';
    // The form's field, or JupyterHub clients' header (the field wins, as in the session check).
    const formToken = presentedCsrfToken(request) ?? '';
    // The session hook already checked this for browsers that have a session.
    if (!request.session && !(cookieToken && formToken && tokensEqual(cookieToken, formToken)))
      return render(403, 'The sign-in form expired or came from another site. Please try again.');
    try {
      const user = await authenticator.authenticate({
        username,
        password: formField(request.body, 'password'),
        ip: request.ip,
      });
      if (!user) return render(401, 'Invalid user name or password.');
      return await completeLogin(request, reply, user, next);
    } catch (error) {
      if (error instanceof LoginLockedError) {
        const seconds = Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000));
        reply.header('retry-after', String(seconds));
        return render(429, error.describe());
      }
      throw error;
    }
  });

  app.get(urls.hub('oauth_login'), async (request, reply) => {
    if (authenticator.kind !== 'redirect') return reply.redirect(urls.hub('login'), 303);
    const next = safeNextPath((request.query as Query).next, urls);
    const state = auth.loginStates.newState();
    try {
      const { url, stash } = await authenticator.startLogin(state);
      auth.loginStates.remember(state, next, stash);
      reply.setCookie(OAUTH_STATE_COOKIE, state, {
        path: urls.hub(),
        httpOnly: true,
        // Lax: the provider's redirect back to us is a top-level GET, which Lax lets through.
        sameSite: 'lax',
        secure: auth.cookie.secure,
        maxAge: 600,
      });
      return reply.redirect(url, 302);
    } catch (error) {
      if (error instanceof OAuthCallbackError)
        return sendHtml(
          reply,
          502,
          messagePage({ urls, title: 'Sign-in failed', user: null, kind: 'error', text: error.describe() }),
        );
      throw error;
    }
  });

  app.get(urls.hub('oauth_callback'), async (request, reply) => {
    const failed = (status: number, text: string) =>
      sendHtml(
        reply,
        status,
        messagePage({
          urls,
          title: 'Sign-in failed',
          user: null,
          kind: 'error',
          text,
          link: { href: urls.hub('login'), label: 'Start again' },
        }),
      );
    if (authenticator.kind !== 'redirect')
      return failed(404, 'This hub does not use an external login provider.');
    const state = (request.query as Query).state ?? '';
    const cookieState = request.cookies[OAUTH_STATE_COOKIE] ?? '';
    reply.clearCookie(OAUTH_STATE_COOKIE, { path: urls.hub() });
    const bound = state !== '' && cookieState !== '' && tokensEqual(state, cookieState);
    // take() deletes the state: a second use of the same callback URL finds nothing.
    const pending = bound ? auth.loginStates.take(state) : null;
    if (!pending)
      return failed(
        400,
        'This sign-in link is not valid: it was used already, it expired, or it was started in another browser. Start the sign-in again.',
      );
    try {
      const callbackUrl = new URL(request.url, 'http://placeholder');
      const user = await authenticator.finishLogin(callbackUrl, state, pending.stash);
      return await completeLogin(request, reply, user, pending.next);
    } catch (error) {
      if (error instanceof OAuthCallbackError) {
        request.log.warn({ err: error }, 'oauth callback failed');
        return failed(403, error.describe());
      }
      throw error;
    }
  });

  // GET as well as POST: Jupyter's own "Logout" buttons link to /hub/logout with a GET, as in
  // JupyterHub. A forged logout only signs someone out, which costs them a login, not data.
  const logout = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.session) {
      await sessions.revoke(request.session.sessionId);
      request.log.info({ user: request.session.userName }, 'logout');
    }
    clearSessionCookie(reply, auth.cookie);
    return reply.redirect(`${urls.hub('login')}?logged_out=1`, 303);
  };
  app.get(urls.hub('logout'), logout);
  app.post(urls.hub('logout'), logout);

  app.get(urls.hub('not-allowed'), async (_request, reply) =>
    sendHtml(reply, 403, notAllowedPage(urls, null, auth.adminContact)),
  );
}
