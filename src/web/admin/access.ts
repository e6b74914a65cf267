/**
 * Who may use the admin console: a signed-in user holding `admin-ui` (the admin role). Others
 * get a 403 page; someone not signed in is sent to the login page and brought back.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../hub/identity.js';
import { hasScope } from '../../hub/scopes.js';
import type { HubUrls } from '../../hub/urls.js';
import { html, page } from '../layout.js';

export function forbiddenPage(identity: Identity, urls: HubUrls): string {
  return page({
    urls,
    title: 'Not allowed',
    user: { name: identity.user.name, admin: identity.user.admin },
    csrfToken: undefined,
    body: html`<div class="card narrow">
      <h1>403: admins only</h1>
      <p>
        The admin console is for hub administrators. You are signed in as
        <strong>${identity.user.name}</strong>.
      </p>
      <p><a href="${urls.hub('home')}">Back to your home page</a></p>
    </div>`,
  });
}

/** The admin's identity, or undefined after answering (redirect to login, or 403). */
export async function requireAdmin(
  request: FastifyRequest,
  reply: FastifyReply,
  urls: HubUrls,
  scope = 'admin-ui',
): Promise<Identity | undefined> {
  const identity = request.identity;
  if (!identity) {
    await reply.redirect(urls.login(request.url), 303);
    return undefined;
  }
  if (!hasScope(identity.scopes, 'admin-ui') || !hasScope(identity.scopes, scope)) {
    await reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage(identity, urls));
    return undefined;
  }
  return identity;
}
