/**
 * /hub/change-password (the user's own, local accounts only) and the admin reset
 * POST /hub/admin/users/:name/reset-password. CSRF is checked by the session hook for both.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PasswordChangeError } from '../../hub/auth/errors.js';
import type { ResolvedSession } from '../../hub/auth/session-store.js';
import { setSessionCookie } from '../../hub/auth/session-hook.js';
import type { PageUser } from '../layout.js';
import { changePasswordPage, messagePage, passwordResetPage } from './pages.js';
import { loginUrlFor, safeNextPath } from './safe-next.js';
import { sendHtml, formField } from '../respond.js';
import type { LoginDeps } from './deps.js';

export function registerPasswordRoutes(app: FastifyInstance, deps: LoginDeps): void {
  const { auth, users, urls } = deps;

  /** The signed-in, still-allowed user, or null after sending the answer for anyone else. */
  async function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ session: ResolvedSession; user: PageUser } | null> {
    const session = request.session;
    const allowed = session ? await users.get(session.userName) : undefined;
    if (!session || !allowed) {
      await reply.redirect(loginUrlFor(request.url, urls), 303);
      return null;
    }
    return { session, user: { name: allowed.name, admin: allowed.admin } };
  }

  app.get(urls.hub('change-password'), async (request, reply) => {
    const me = await signedIn(request, reply);
    if (!me) return reply;
    const next = safeNextPath((request.query as Record<string, string | undefined>).next, urls);
    if (!auth.localAccounts)
      return sendHtml(
        reply,
        404,
        messagePage({
          urls,
          title: 'Change password',
          user: me.user,
          csrfToken: me.session.csrfToken,
          kind: 'error',
          text: `This hub signs you in with ${auth.authenticator.name === 'dummy' ? 'a demo login that has no passwords' : 'an external provider'}; change your password there.`,
        }),
      );
    const mustChange = await auth.localAccounts.mustChange(me.user.name);
    return sendHtml(
      reply,
      200,
      changePasswordPage({ urls, user: me.user, csrfToken: me.session.csrfToken, next, mustChange }),
    );
  });

  app.post(urls.hub('change-password'), async (request, reply) => {
    const me = await signedIn(request, reply);
    if (!me) return reply;
    const next = safeNextPath(formField(request.body, 'next'), urls);
    if (!auth.localAccounts) return reply.redirect(urls.hub('change-password'), 303);
    try {
      await auth.localAccounts.changePassword(
        me.user.name,
        formField(request.body, 'current'),
        formField(request.body, 'password'),
        formField(request.body, 'confirm'),
      );
    } catch (error) {
      if (!(error instanceof PasswordChangeError)) throw error;
      const mustChange = await auth.localAccounts.mustChange(me.user.name);
      return sendHtml(
        reply,
        400,
        changePasswordPage({
          urls,
          user: me.user,
          csrfToken: me.session.csrfToken,
          next,
          mustChange,
          flash: { kind: 'error', text: error.describe() },
        }),
      );
    }
    // Every session of the user ended with the change; this browser gets a fresh one.
    const session = await auth.sessions.create(me.user.name);
    setSessionCookie(reply, session, auth.cookie);
    return sendHtml(
      reply,
      200,
      messagePage({
        urls,
        title: 'Password changed',
        user: me.user,
        csrfToken: session.csrfToken,
        text: 'Your password was changed. Every other browser where you were signed in has been signed out.',
        link: { href: next, label: 'Continue' },
      }),
    );
  });

  app.post(urls.hub('admin/users/:name/reset-password'), async (request, reply) => {
    const me = await signedIn(request, reply);
    if (!me) return reply;
    if (!me.user.admin)
      return sendHtml(
        reply,
        403,
        messagePage({
          urls,
          title: 'Not allowed',
          user: me.user,
          csrfToken: me.session.csrfToken,
          kind: 'error',
          text: 'Only administrators can reset passwords.',
        }),
      );
    const target = (request.params as { name: string }).name;
    if (!auth.localAccounts)
      return sendHtml(
        reply,
        409,
        messagePage({
          urls,
          title: 'Password reset',
          user: me.user,
          csrfToken: me.session.csrfToken,
          kind: 'error',
          text: 'This hub does not use local passwords, so there is nothing to reset.',
        }),
      );
    try {
      const password = await auth.localAccounts.resetPassword(target);
      request.log.info({ admin: me.user.name, user: target }, 'password reset by admin');
      // The admin may have reset their own password: their session ended too.
      const stillSignedIn = target.toLowerCase() !== me.user.name;
      return sendHtml(
        reply,
        200,
        passwordResetPage({
          urls,
          user: me.user,
          csrfToken: stillSignedIn ? me.session.csrfToken : '',
          target: target.toLowerCase(),
          password,
        }),
      );
    } catch (error) {
      if (!(error instanceof PasswordChangeError)) throw error;
      return sendHtml(
        reply,
        404,
        messagePage({
          urls,
          title: 'Password reset',
          user: me.user,
          csrfToken: me.session.csrfToken,
          kind: 'error',
          text: error.describe(),
        }),
      );
    }
  });
}
