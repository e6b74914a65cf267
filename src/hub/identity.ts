/**
 * Who is calling: `request.identity` for every request, from an API token
 * (`Authorization: token T` or `Authorization: bearer T`, or `?token=T` on GET requests) or from
 * the browser session (`request.session`, set by the login area's hook, which runs first).
 *
 * A token that is presented but unknown, revoked or expired is answered at once with 403 JSON
 * (JupyterHub's status for missing or invalid credentials) that says which: silently treating
 * the caller as anonymous would turn a clear "your token expired" into a puzzling refusal later.
 *
 * `?token=` is accepted on GET/HEAD requests to the REST API's own routes only. Only GET, as
 * JupyterHub: a state-changing request with a token in its URL could be forged by a link. Only
 * the API's routes (marked by `acceptTokenInUrl`), because they log their URL through
 * `scrubbedRequest`, which hides the token as JupyterHub's log scrubbing does; other routes'
 * request logs would record it in clear.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UserStore } from '../db/stores/users.js';
import { expandScopes, hasScope, intersectScopes, roleNames, roleScopes } from './scopes.js';
import { SERVICE_IDENTITY_PREFIX, type ServiceRegistry } from './services/service-registry.js';
import { InvalidTokenError, TokenService } from './tokens/index.js';

export interface IdentityUser {
  id: number;
  name: string;
  admin: boolean;
}

export interface Identity {
  user: IdentityUser;
  /** Expanded scopes this request may use (a token's are cut down to its owner's). */
  scopes: Set<string>;
  kind: 'session' | 'token';
  tokenId?: number;
  /** The user's roles (JupyterHub's `roles` field of /hub/api/user). */
  roles: string[];
  /**
   * Set when a service's token made the request: then `user` is no user at all but
   * `{id: 0, name: 'service:NAME'}`, a name no user can have (see service-registry.ts).
   */
  service?: string;
  /** For a token issued through OAuth: the public id of the login it came from (JupyterHub's session_id). */
  sessionId?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, or null when anonymous. Set by the identity hook (registerIdentityHook). */
    identity: Identity | null;
  }
}

/**
 * Marks every route registered after it on `instance` as accepting `?token=` and logging its
 * URL scrubbed. The REST API calls it for its own routes (other areas' routes log URLs in clear).
 */
export function acceptTokenInUrl(instance: FastifyInstance): void {
  instance.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object | undefined), tokenInUrl: true } as typeof route.config;
    // Fastify types serializers as returning strings; pino takes objects, as its own req one does.
    route.logSerializers = {
      ...route.logSerializers,
      req: scrubbedRequest as unknown as (v: unknown) => string,
    };
  });
}

/** The URL with the value of any `token` query parameter replaced, for logs. */
export function scrubTokenFromUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[secret]');
}

/** Fastify's request log serializer, with the URL scrubbed (use as `logSerializers.req`). */
export function scrubbedRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: scrubTokenFromUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The token a request presents, or undefined. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  const routeConfig = request.routeOptions.config as { tokenInUrl?: boolean } | undefined;
  if ((request.method === 'GET' || request.method === 'HEAD') && routeConfig?.tokenInUrl === true) {
    const query = request.query as Record<string, unknown> | undefined;
    const value = query?.token;
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

export async function identityFromToken(
  tokens: TokenService,
  token: string,
  services?: ServiceRegistry,
): Promise<Identity> {
  const service = await services?.resolveToken(token);
  if (service)
    return {
      user: { id: 0, name: `${SERVICE_IDENTITY_PREFIX}${service.name}`, admin: false },
      scopes: new Set(service.scopes),
      kind: 'token',
      roles: [],
      service: service.name,
    };
  const record = await tokens.resolve(token);
  const ownerScopes = roleScopes(record.owner);
  const scopes = intersectScopes(expandScopes(record.scopes, record.owner.name), ownerScopes);
  // The hub itself grants an OAuth token access to the service that asked for it (JupyterHub's
  // access scopes of the client), a scope its owner's roles do not hold: kept as issued.
  // Likewise a server client's `access:servers!server=USER/NAME`, while the owner may still
  // open that user's servers (their own, or any as an admin).
  if (record.kind === 'oauth')
    for (const scope of record.scopes) {
      if (scope.startsWith('access:services!service=')) scopes.add(scope);
      const server = /^access:servers!server=([^/]+)\/(.*)$/.exec(scope);
      if (
        server &&
        hasScope(ownerScopes, 'access:servers', { user: server[1]!, server: `${server[1]}/${server[2]}` })
      )
        scopes.add(scope);
    }
  return {
    user: record.owner,
    scopes,
    kind: 'token',
    tokenId: record.id,
    roles: roleNames(record.owner),
    sessionId: record.sessionId,
  };
}

async function identityFromSession(users: UserStore, userName: string): Promise<Identity | null> {
  // The admin flag is read on every request, not kept in the session: revoking admin takes
  // effect at the next request.
  const row = await users.findByName(userName);
  if (!row) return null;
  const user = { id: row.id, name: row.name, admin: row.admin };
  return { user, scopes: roleScopes(user), kind: 'session', roles: roleNames(user) };
}

/**
 * 403, as JupyterHub answers a missing or invalid credential: its clients (HubAuth) take a 403
 * for "not allowed" and anything else for a hub failure.
 */
function refuseToken(request: FastifyRequest, reply: FastifyReply, error: InvalidTokenError) {
  request.log.info({ reason: error.message }, 'refused API token');
  return reply.code(403).send({
    status: 403,
    message: `Missing or invalid credentials. ${error.message} ${error.hint ?? ''}`.trim(),
  });
}

/**
 * Adds the `onRequest` hook that sets `request.identity`. Register it on the root instance after
 * the session hooks, so `request.session` is already resolved.
 */
export function registerIdentityHook(
  app: FastifyInstance,
  users: UserStore,
  tokens: TokenService,
  services?: ServiceRegistry,
): void {
  if (!app.hasRequestDecorator('identity')) app.decorateRequest('identity', null);
  app.addHook('onRequest', async (request, reply) => {
    request.identity = null;
    const token = presentedToken(request);
    if (token) {
      try {
        request.identity = await identityFromToken(tokens, token, services);
      } catch (error) {
        if (error instanceof InvalidTokenError) return refuseToken(request, reply, error);
        throw error;
      }
      return undefined;
    }
    const session = request.session;
    if (session) request.identity = await identityFromSession(users, session.userName);
    return undefined;
  });
}
