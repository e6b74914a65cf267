/**
 * The hub's OAuth2 endpoints (src/hub/oauth/provider.ts), under JupyterHub's paths:
 *   GET  BASE/hub/api/oauth2/authorize   the logged-in user's request: a code straight away for
 *                                        the user's own server or a trusted service, else the
 *                                        consent page (anonymous browsers go to the login page)
 *   POST BASE/hub/api/oauth2/authorize   the consent form: approves, then on to the client with a
 *                                        code (the login area's hook refuses a post without the
 *                                        session's _xsrf, so another site cannot approve for them)
 *   POST BASE/hub/api/oauth2/token       code -> token, answered in OAuth2's JSON shapes
 * Pages, not API routes: they are registered beside the REST API, not inside it, so their errors
 * are pages (authorize) or OAuth2's own JSON (token), as JupyterHub answers them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../hub/identity.js';
import { OauthPageError, OauthProtocolError } from '../../hub/oauth/errors.js';
import { redirectWith, type AuthorizeUser, type OauthProvider } from '../../hub/oauth/provider.js';
import type { HubUrls } from '../../hub/urls.js';
import { CONTENT_SECURITY_POLICY } from '../security-headers.js';
import { loginUrlFor } from '../login/safe-next.js';
import { sendHtml } from '../respond.js';
import { consentPage, oauthErrorPage } from './pages.js';

export interface OauthRouteDeps {
  provider: OauthProvider;
  urls: HubUrls;
}

function authorizeUser(identity: Identity): AuthorizeUser {
  return { ...identity.user, scopes: identity.scopes };
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The page's policy, letting its form's redirect reach the client: browsers apply form-action to
 * where a form's answer redirects, and a service may live on another origin.
 */
function consentPolicy(redirectUri: string): string {
  let origin: string | undefined;
  try {
    origin = /^https?:\/\//i.test(redirectUri) ? new URL(redirectUri).origin : undefined;
  } catch {
    origin = undefined;
  }
  return origin
    ? CONTENT_SECURITY_POLICY.replace("form-action 'self'", `form-action 'self' ${origin}`)
    : CONTENT_SECURITY_POLICY;
}

export function registerOauthRoutes(app: FastifyInstance, deps: OauthRouteDeps): void {
  const { provider, urls } = deps;
  const authorizePath = urls.api('oauth2/authorize');

  function refuse(reply: FastifyReply, identity: Identity | null, error: unknown): FastifyReply {
    const user = identity ? { name: identity.user.name, admin: identity.user.admin } : null;
    if (error instanceof OauthProtocolError && error.back) {
      const { redirectUri, state } = error.back;
      return reply.redirect(
        redirectWith(redirectUri, { error: error.error, error_description: error.description, state }),
        302,
      );
    }
    if (error instanceof OauthProtocolError)
      return sendHtml(reply, error.status, oauthErrorPage(urls, user, error.status, error.description));
    if (error instanceof OauthPageError)
      return sendHtml(
        reply,
        error.status,
        oauthErrorPage(urls, user, error.status, error.message, error.hint),
      );
    throw error;
  }

  /** A browser's login (never a token: approving is something a person does). */
  function browserUser(request: FastifyRequest): Identity | null {
    const identity = request.identity;
    return identity && identity.kind === 'session' && request.session ? identity : null;
  }

  app.get(authorizePath, async (request, reply) => {
    const identity = browserUser(request);
    if (!identity) return reply.redirect(loginUrlFor(request.url, urls), 302);
    try {
      const user = authorizeUser(identity);
      const checked = await provider.checkAuthorization(request.query as Record<string, unknown>, user);
      if (!checked.needsConsent)
        return reply.redirect(await provider.approve(checked, user, request.session!.sessionId), 302);
      reply.header('content-security-policy', consentPolicy(checked.redirectUri));
      return sendHtml(
        reply,
        200,
        consentPage({
          urls,
          user: { name: identity.user.name, admin: identity.user.admin },
          csrfToken: request.session!.csrfToken,
          action: request.url,
          clientDescription: checked.client.description,
          extraScopes: checked.extraScopes,
        }),
      );
    } catch (error) {
      return refuse(reply, identity, error);
    }
  });

  app.post(authorizePath, async (request, reply) => {
    const identity = browserUser(request);
    if (!identity)
      return sendHtml(
        reply,
        403,
        oauthErrorPage(urls, null, 403, 'Log in to the hub in this browser first.'),
      );
    try {
      const user = authorizeUser(identity);
      const checked = await provider.checkAuthorization(request.query as Record<string, unknown>, user);
      const ticked = listOf((request.body as Record<string, unknown> | undefined)?.scopes);
      return reply.redirect(await provider.approve(checked, user, request.session!.sessionId, ticked), 302);
    } catch (error) {
      return refuse(reply, identity, error);
    }
  });

  app.post(urls.api('oauth2/token'), async (request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return await provider.exchange(body, request.headers.authorization);
    } catch (error) {
      if (!(error instanceof OauthProtocolError)) throw error;
      if (error.status === 401) reply.header('www-authenticate', 'Basic realm="coursehub"');
      return reply.code(error.status).send({ error: error.error, error_description: error.description });
    }
  });
}
