/**
 * The GET routes JupyterHub's links and clients use to get to a server (paths under hub.baseUrl):
 *   GET /                     -> /hub/ (the address a hub is known by; the proxy's default route
 *                             brings everything outside /user/ to the hub)
 *   GET /hub/                 the signed-in user's home, or the login page (JupyterHub's root)
 *   GET /hub/spawn            start one's own server, then go to it
 *   GET /hub/spawn/:name      the same for user NAME (oneself, or with `servers` on NAME)
 * As JupyterHub's SpawnHandler without an options form (coursehub's spawners have none): a ready
 * server is gone to at once (`next`, or its tree), one starting or stopping shows its pending
 * page, a stopped one is started with the query's other parameters as its user options, then
 * the pending page follows it to the server.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../hub/identity.js';
import { hasScope } from '../../hub/scopes.js';
import { ServerRequestError } from '../../hub/servers/errors.js';
import type { ServerManager } from '../../hub/servers/server-manager.js';
import type { UserOptions } from '../../hub/spawner/spawner.js';
import type { HubUrls } from '../../hub/urls.js';
import { sendHtml } from '../respond.js';
import { safeServerPath } from './safe-server-path.js';

export interface SpawnGetDeps {
  servers: ServerManager;
  urls: HubUrls;
  /** The caller, or undefined after sending the browser to the login page. */
  caller(request: FastifyRequest, reply: FastifyReply): Identity | undefined;
  /** A page that says what went wrong, with its status. */
  errorPage(identity: Identity, text: string): string;
}

type SpawnRequest = { Params: { name?: string }; Querystring: Record<string, string | string[] | undefined> };

/** The query's parameters but `next` and `_xsrf`, as user options (first value of each). */
function queryOptions(query: SpawnRequest['Querystring']): UserOptions {
  const options = Object.create(null) as UserOptions;
  for (const [key, value] of Object.entries(query)) {
    if (key === 'next' || key === '_xsrf' || value === undefined) continue;
    options[key] = Array.isArray(value) ? value[0] : value;
  }
  return options;
}

export function registerSpawnGetRoutes(app: FastifyInstance, deps: SpawnGetDeps): void {
  const { servers: manager, urls } = deps;

  app.get(urls.base, async (_request, reply) => reply.redirect(urls.hub(), 302));
  if (urls.base !== '/')
    app.get(urls.base.replace(/\/$/, ''), async (_request, reply) => reply.redirect(urls.hub(), 302));
  app.get(urls.hub(), async (request, reply) =>
    reply.redirect(request.identity ? urls.hub('home') : urls.hub('login'), 302),
  );

  const spawn = async (request: FastifyRequest<SpawnRequest>, reply: FastifyReply) => {
    const identity = deps.caller(request, reply);
    if (!identity) return reply;
    const name = request.params.name ?? identity.user.name;
    if (!hasScope(identity.scopes, 'servers', { user: name }))
      return sendHtml(
        reply,
        403,
        deps.errorPage(identity, `You (${identity.user.name}) may not start or stop ${name}'s server.`),
      );
    const next = safeServerPath(request.query.next, manager.publicUrl(name));
    const pending = `${urls.hub(`spawn-pending/${encodeURIComponent(name)}`)}?next=${encodeURIComponent(next)}`;
    const status = manager.status(name);
    if (status?.ready) return reply.redirect(next, 302);
    if (status) return reply.redirect(pending, 302);
    try {
      await manager.start(name, '', queryOptions(request.query));
    } catch (error) {
      if (!(error instanceof ServerRequestError)) throw error;
      return sendHtml(reply, error.status, deps.errorPage(identity, error.describe()));
    }
    return reply.redirect(pending, 302);
  };
  app.get<SpawnRequest>(urls.hub('spawn'), spawn);
  app.get<SpawnRequest>(urls.hub('spawn/:name'), spawn);
}
