/**
 * The hub's side of the proxy (paths under hub.baseUrl):
 *   GET /hub/api/proxy/authorize?owner=NAME&server=SERVER   the proxy asks whether a credential
 *       may open NAME's server SERVER ('' = default; authenticated with the proxy secret; the
 *       credential comes in its own header)
 *   POST /hub/api/proxy/unreachable?owner=NAME&server=SERVER   the proxy could not reach that
 *       server: the hub polls it at once and answers {state, outOfMemory?} (proxy secret too)
 *   GET /hub/api/proxy                        JupyterHub's: the routing table (scope `proxy`: admins)
 *   POST /hub/api/proxy                       JupyterHub's: re-sync every user-server route now
 *   PATCH /hub/api/proxy {api_url?, auth_token?}   JupyterHub's: the proxy moved or has a new
 *       secret; the hub uses them from now on (until it restarts) and re-syncs
 * and the push of session revocations to the proxy, so a logout takes effect there at once.
 * The hub's server also closes connections the way a proxy in front needs (lingering-close.ts).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserStore } from '../../db/stores/users.js';
import type { SessionStore } from '../auth/session-store.js';
import type { ServerManager } from '../servers/server-manager.js';
import type { ServiceRegistry } from '../services/service-registry.js';
import { identityFromToken } from '../identity.js';
import { hasScope, roleScopes } from '../scopes.js';
import { InvalidTokenError, type TokenService } from '../tokens/index.js';
import type { HubUrls } from '../urls.js';
import type { AccessDecision } from './access-gate.js';
import type { ProxyClient } from './client.js';
import { ProxyApiError } from './errors.js';
import { API_TOKEN_HEADER, PROXY_SECRET_HEADER, SESSION_COOKIE_HEADER } from './hub-oracle.js';
import { lingerBeforeClosing } from './lingering-close.js';

export interface ProxyHubRoutesOptions {
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenService;
  proxy: ProxyClient;
  /** The shared secret, or a function giving it (read on first use). */
  proxySecret: string | (() => string);
  /** JupyterHub's admin_access: admins may open other users' servers. */
  adminAccess: boolean;
  urls: HubUrls;
  /** Checked at once when the proxy could not reach one of them. */
  servers: Pick<ServerManager, 'checkNow' | 'lastStop'>;
  /** JupyterHub's services: their tokens open the servers their access:servers scopes name. */
  services?: ServiceRegistry;
}

function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}

/** The PATCH body, checked; a message for the 400 answer otherwise. */
function proxySettingsFrom(body: unknown): { apiUrl?: string; authToken?: string } | string {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return 'The body must be a JSON object.';
  const { api_url: apiUrl, auth_token: authToken, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) return `Unknown field(s) ${unknown.join(', ')}: only api_url and auth_token.`;
  const out: { apiUrl?: string; authToken?: string } = {};
  if (apiUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof apiUrl === 'string' ? new URL(apiUrl) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.search)
      return 'api_url must be an http(s) URL without credentials or query, e.g. http://127.0.0.1:8001.';
    out.apiUrl = url.href;
  }
  if (authToken !== undefined) {
    // It travels in `Authorization: token T` both ways, and guards every route: no blanks, not short.
    if (typeof authToken !== 'string' || !/^[\x21-\x7e]{16,}$/.test(authToken))
      return 'auth_token must be at least 16 printable characters without spaces.';
    out.authToken = authToken;
  }
  return out;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The scopes a user holds for opening servers, as JupyterHub 2+ has them: `access:servers` on
 * their own servers (the `user` role's `self`), and on everyone's only with proxy.adminAccess,
 * the old switch by which the `admin` role carries it. Users have no other roles here, so
 * without the switch every access:servers scope beyond the user's own came from the admin role
 * (directly, or through a token that narrowed it) and goes.
 */
function withAdminAccessSwitch(
  who: { name: string },
  scopes: Set<string>,
  adminAccess: boolean,
): Set<string> {
  if (adminAccess) return scopes;
  const own = (scope: string) =>
    scope === `access:servers!user=${who.name}` || scope.startsWith(`access:servers!server=${who.name}/`);
  return new Set([...scopes].filter((scope) => !scope.startsWith('access:servers') || own(scope)));
}

/**
 * Whether `who` (with these scopes) may open `owner`'s server `serverName` ('' = the default
 * one): JupyterHub's `access:servers` on that server (`!server=OWNER/SERVER`), on the owner
 * (`!user=OWNER`), or on every server. `null`: any of the owner's servers, so only the latter two.
 */
export function mayAccessServer(
  who: { name: string },
  scopes: Set<string>,
  owner: string,
  serverName: string | null,
  adminAccess: boolean,
  /** A service's scopes were granted to it by name in the config, not by the admin role. */
  isService = false,
): AccessDecision {
  const held = isService ? scopes : withAdminAccessSwitch(who, scopes, adminAccess);
  const target = serverName === null ? { user: owner } : { user: owner, server: `${owner}/${serverName}` };
  if (hasScope(held, 'access:servers', target)) return { allowed: true, user: who.name };
  const which =
    serverName === null
      ? `all of ${owner}'s servers`
      : serverName
        ? `${owner}/${serverName}`
        : `${owner}/ (the default server)`;
  return {
    allowed: false,
    user: who.name,
    reason:
      who.name === owner
        ? `this credential lacks access:servers for ${which}`
        : `only ${owner} may open this server (access:servers for ${which} needed)`,
  };
}

export async function authorizeCredential(
  options: Pick<ProxyHubRoutesOptions, 'users' | 'sessions' | 'tokens' | 'adminAccess' | 'services'>,
  credential: { sessionCookie?: string; token?: string },
  owner: string,
  serverName: string | null = '',
): Promise<AccessDecision> {
  if (credential.token !== undefined) {
    try {
      const identity = await identityFromToken(options.tokens, credential.token, options.services);
      return mayAccessServer(
        identity.user,
        identity.scopes,
        owner,
        serverName,
        options.adminAccess,
        identity.service !== undefined,
      );
    } catch (error) {
      if (error instanceof InvalidTokenError) return { allowed: false, user: null, reason: error.message };
      throw error;
    }
  }
  if (credential.sessionCookie !== undefined) {
    const session = await options.sessions.resolve(credential.sessionCookie);
    if (!session) return { allowed: false, user: null, reason: 'no such session (logged out or expired)' };
    const row = await options.users.findByName(session.userName);
    if (!row) return { allowed: false, user: null, reason: 'the user no longer exists' };
    const user = { name: row.name, admin: row.admin };
    return mayAccessServer(user, roleScopes(user), owner, serverName, options.adminAccess);
  }
  return { allowed: false, user: null, reason: 'no credential' };
}

export function registerProxyHubRoutes(app: FastifyInstance, options: ProxyHubRoutesOptions): void {
  // A refused body's answer (413) must reach the proxy whole, not be lost to a connection reset.
  lingerBeforeClosing(app.server);
  // One secret serves both ways; once PATCH gave a new one, the proxy that has it is ours.
  let patchedSecret: string | undefined;
  // No secret configured yet means no proxy of ours runs: nobody can be the proxy, so refuse all.
  const expectedSecret = (): string => {
    if (patchedSecret !== undefined) return patchedSecret;
    try {
      return typeof options.proxySecret === 'string' ? options.proxySecret : options.proxySecret();
    } catch {
      return randomUUID() + randomUUID();
    }
  };
  /** Answers 403 and returns false unless the caller has the `proxy` scope. */
  const mayManageProxy = (request: FastifyRequest, reply: FastifyReply, what: string): boolean => {
    const identity = request.identity;
    if (!identity) {
      void reply.code(403).send({ status: 403, message: `Log in as an admin to ${what}.` });
      return false;
    }
    if (!hasScope(identity.scopes, 'proxy')) {
      void reply
        .code(403)
        .send({ status: 403, message: `Only a caller with the "proxy" scope (admins) may ${what}.` });
      return false;
    }
    return true;
  };
  const unreachable = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof ProxyApiError)) throw error;
    return reply.code(503).send({ status: 503, message: error.describe() });
  };
  const sync = async (request: FastifyRequest) => {
    const result = await options.proxy.syncUserServers();
    request.log.info(
      { added: result.added, removed: result.removed, api: options.proxy.settings.apiUrl },
      'proxy routes re-synced on request',
    );
    return result;
  };
  const { urls } = options;
  /** Answers 403 and returns false unless the caller is the proxy (it has the secret). */
  const isTheProxy = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const secret = headerValue(request.headers[PROXY_SECRET_HEADER]);
    if (secret !== undefined && sameSecret(secret, expectedSecret())) return true;
    void reply
      .code(403)
      .send({ status: 403, message: 'Only the proxy may call this (proxy secret missing or wrong).' });
    return false;
  };
  app.get(urls.api('proxy/authorize'), async (request, reply) => {
    if (!isTheProxy(request, reply)) return reply;
    const { owner, server } = request.query as Record<string, unknown>;
    if (typeof owner !== 'string' || owner === '') {
      return reply.code(400).send({ status: 400, message: 'Query parameter "owner" is required.' });
    }
    if (server !== undefined && typeof server !== 'string')
      return reply.code(400).send({ status: 400, message: 'Query parameter "server" must be given once.' });
    const token = headerValue(request.headers[API_TOKEN_HEADER]);
    const sessionCookie = headerValue(request.headers[SESSION_COOKIE_HEADER]);
    const decision = await authorizeCredential(
      options,
      {
        ...(token === undefined ? {} : { token }),
        ...(sessionCookie === undefined ? {} : { sessionCookie }),
      },
      owner,
      // A proxy from before named servers names none: then only access to all of the owner's
      // servers will do, so that it cannot let a one-server token into another server.
      server ?? null,
    );
    return reply.header('cache-control', 'no-store').send(decision);
  });

  // A server the proxy could not reach (its Jupyter died, as under the out-of-memory killer): look
  // now, so that its user is sent to the page that says it stopped instead of seeing errors until
  // the next round of the poll loop.
  app.post(urls.api('proxy/unreachable'), async (request, reply) => {
    if (!isTheProxy(request, reply)) return reply;
    const { owner, server = '' } = request.query as Record<string, unknown>;
    if (typeof owner !== 'string' || owner === '' || typeof server !== 'string') {
      return reply.code(400).send({ status: 400, message: 'Query parameter "owner" is required.' });
    }
    const state = await options.servers.checkNow(owner, server);
    const stop = state === 'stopped' ? options.servers.lastStop(owner, server) : undefined;
    request.log.info({ user: owner, server, state }, 'the proxy could not reach a server; checked it');
    return reply
      .header('cache-control', 'no-store')
      .send({ state, ...(stop?.outOfMemory ? { outOfMemory: true } : {}) });
  });

  app.get(urls.api('proxy'), async (request, reply) => {
    if (!mayManageProxy(request, reply, 'read the proxy table')) return reply;
    try {
      return reply.send(await options.proxy.getAllRoutes());
    } catch (error) {
      return unreachable(reply, error);
    }
  });

  app.post(urls.api('proxy'), async (request, reply) => {
    if (!mayManageProxy(request, reply, 're-sync the proxy')) return reply;
    try {
      return reply.send(await sync(request));
    } catch (error) {
      return unreachable(reply, error);
    }
  });

  app.patch(urls.api('proxy'), async (request, reply) => {
    if (!mayManageProxy(request, reply, 'change the proxy settings')) return reply;
    const settings = proxySettingsFrom(request.body);
    if (typeof settings === 'string') return reply.code(400).send({ status: 400, message: settings });
    const before = options.proxy.settings;
    options.proxy.configure({
      ...(settings.apiUrl === undefined ? {} : { apiUrl: settings.apiUrl }),
      ...(settings.authToken === undefined ? {} : { secret: settings.authToken }),
    });
    try {
      const result = await sync(request);
      if (settings.authToken !== undefined) patchedSecret = settings.authToken;
      request.log.info({ api: options.proxy.settings.apiUrl }, 'proxy settings changed through the API');
      return reply.send(result);
    } catch (error) {
      // A mistyped URL or token must not cut the hub off from the proxy that works.
      options.proxy.configure({ apiUrl: before.apiUrl, secret: before.secret });
      if (!(error instanceof ProxyApiError)) throw error;
      return reply.code(503).send({
        status: 503,
        message: `${error.describe()} The hub keeps its previous proxy settings.`,
      });
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
