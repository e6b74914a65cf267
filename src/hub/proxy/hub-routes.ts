/**
 * The hub's side of the proxy:
 *   GET /hub/api/proxy/authorize?owner=NAME   the proxy asks whether a credential may open NAME's
 *       server (authenticated with the proxy secret; the credential comes in its own header)
 *   GET /hub/api/proxy                        JupyterHub's: the routing table (scope `proxy`: admins)
 * and the push of session revocations to the proxy, so a logout takes effect there at once.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SessionStore } from '../auth/session-store.js';
import { identityFromToken } from '../identity.js';
import { hasScope, roleScopes } from '../scopes.js';
import { InvalidTokenError, type TokenService } from '../tokens/index.js';
import type { AccessDecision } from './access-gate.js';
import type { ProxyClient } from './client.js';
import { ProxyApiError } from './errors.js';
import { API_TOKEN_HEADER, PROXY_SECRET_HEADER, SESSION_COOKIE_HEADER } from './hub-oracle.js';

export interface ProxyHubRoutesOptions {
  db: Kysely<Database>;
  sessions: SessionStore;
  tokens: TokenService;
  proxy: ProxyClient;
  /** The shared secret, or a function giving it (read on first use). */
  proxySecret: string | (() => string);
  /** JupyterHub's admin_access: admins may open other users' servers. */
  adminAccess: boolean;
}

function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether `who` (with these scopes) may open `owner`'s server. */
export function mayAccessServer(
  who: { name: string },
  scopes: Set<string>,
  owner: string,
  adminAccess: boolean,
): AccessDecision {
  const scoped = hasScope(scopes, 'access:servers', { user: owner, server: `${owner}/` });
  if (who.name === owner) {
    return scoped
      ? { allowed: true, user: who.name }
      : { allowed: false, user: who.name, reason: 'this token lacks the access:servers scope' };
  }
  if (adminAccess && scoped) return { allowed: true, user: who.name };
  return { allowed: false, user: who.name, reason: `only ${owner} may open this server` };
}

export async function authorizeCredential(
  options: Pick<ProxyHubRoutesOptions, 'db' | 'sessions' | 'tokens' | 'adminAccess'>,
  credential: { sessionCookie?: string; token?: string },
  owner: string,
): Promise<AccessDecision> {
  if (credential.token !== undefined) {
    try {
      const identity = await identityFromToken(options.tokens, credential.token);
      return mayAccessServer(identity.user, identity.scopes, owner, options.adminAccess);
    } catch (error) {
      if (error instanceof InvalidTokenError) return { allowed: false, user: null, reason: error.message };
      throw error;
    }
  }
  if (credential.sessionCookie !== undefined) {
    const session = await options.sessions.resolve(credential.sessionCookie);
    if (!session) return { allowed: false, user: null, reason: 'no such session (logged out or expired)' };
    const row = await options.db
      .selectFrom('users')
      .select(['name', 'admin'])
      .where('name', '=', session.userName)
      .executeTakeFirst();
    if (!row) return { allowed: false, user: null, reason: 'the user no longer exists' };
    const user = { name: row.name, admin: Boolean(row.admin) };
    return mayAccessServer(user, roleScopes(user), owner, options.adminAccess);
  }
  return { allowed: false, user: null, reason: 'no credential' };
}

export function registerProxyHubRoutes(app: FastifyInstance, options: ProxyHubRoutesOptions): void {
  // No secret configured yet means no proxy of ours runs: nobody can be the proxy, so refuse all.
  const expectedSecret = (): string => {
    try {
      return typeof options.proxySecret === 'string' ? options.proxySecret : options.proxySecret();
    } catch {
      return randomUUID() + randomUUID();
    }
  };
  app.get('/hub/api/proxy/authorize', async (request, reply) => {
    const secret = headerValue(request.headers[PROXY_SECRET_HEADER]);
    if (secret === undefined || !sameSecret(secret, expectedSecret())) {
      return reply
        .code(403)
        .send({ status: 403, message: 'Only the proxy may call this (proxy secret missing or wrong).' });
    }
    const owner = (request.query as Record<string, unknown>).owner;
    if (typeof owner !== 'string' || owner === '') {
      return reply.code(400).send({ status: 400, message: 'Query parameter "owner" is required.' });
    }
    const token = headerValue(request.headers[API_TOKEN_HEADER]);
    const sessionCookie = headerValue(request.headers[SESSION_COOKIE_HEADER]);
    const decision = await authorizeCredential(
      options,
      {
        ...(token === undefined ? {} : { token }),
        ...(sessionCookie === undefined ? {} : { sessionCookie }),
      },
      owner,
    );
    return reply.header('cache-control', 'no-store').send(decision);
  });

  app.get('/hub/api/proxy', async (request, reply) => {
    const identity = request.identity;
    if (!identity)
      return reply.code(403).send({ status: 403, message: 'Log in as an admin to read the proxy table.' });
    if (!hasScope(identity.scopes, 'proxy')) {
      return reply
        .code(403)
        .send({ status: 403, message: 'Reading the proxy table needs the "proxy" scope (admins have it).' });
    }
    try {
      return reply.send(await options.proxy.getAllRoutes());
    } catch (error) {
      if (!(error instanceof ProxyApiError)) throw error;
      return reply.code(503).send({ status: 503, message: error.describe() });
    }
  });

  // A logout or password change must close the proxy's door at once, not when its cache expires.
  const unsubscribe = options.sessions.onRevoke((event) => {
    options.proxy.revoke({ sessions: event.sessionIds }).catch((error: unknown) => {
      app.log.warn(
        { err: error, user: event.userName },
        'could not tell the proxy about a revoked session; its cache expires it within the TTL',
      );
    });
  });
  app.addHook('onClose', async () => unsubscribe());
}
