/**
 * The home page and the pages around starting one's server (paths under hub.baseUrl):
 *   GET  /hub/home                     Start / Stop with a live progress bar
 *   GET  /hub/home/server.js           the pages' script
 *   GET  /, /hub/, /hub/spawn[/:name]  JupyterHub's root and spawn links (./root-and-spawn.ts)
 *   POST /hub/spawn/:name[?next=]      start (form or fetch), then the spawn-pending page
 *   GET  /hub/spawn-pending/:name      progress, then on to `next` (default /user/NAME/tree)
 *   POST /hub/stop/:name               stop (form fallback of the DELETE API call)
 *   GET  /hub/user/:name/*             where the proxy sends a browser for a missing route, or for a
 *                                      server it found stopped (it then says why: out of memory, ...)
 * and, with named servers on (spawner.allowNamedServers), the same for a named server with
 * `/:server` after the name, the home page's list of them, and:
 *   POST /hub/named-servers/:name      "Add New Server": start the one named in the form's server_name
 *   POST /hub/delete-server/:name/:server   delete a (stopped) named server (DELETE ... remove)
 * The home page also links to the page of each course the user has a role in (src/web/courses/).
 * Who may: the same scopes as the REST API (`servers` on that user: oneself, or an admin);
 * anonymous browsers go to the login page. CSRF is checked by the login area's hook.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../hub/identity.js';
import { hasScope } from '../../hub/scopes.js';
import { ServerRequestError } from '../../hub/servers/errors.js';
import type { ServerManager } from '../../hub/servers/server-manager.js';
import type { HubUrls } from '../../hub/urls.js';
import { loginUrlFor } from '../login/safe-next.js';
import {
  homePage,
  serverErrorPage,
  type HomeCourse,
  serverNotRunningPage,
  spawnPendingPage,
  type ServerView,
} from './pages.js';
import { namedServersOf } from './named-server-list.js';
import { safeServerPath } from './safe-server-path.js';
import { SERVER_SCRIPT } from './server-script.js';
import { registerSpawnGetRoutes } from './root-and-spawn.js';
import { sendHtml } from '../respond.js';

type NameParams = { Params: { name: string; server?: string }; Querystring: { next?: string } };

/** The hub's path segment(s) for a server: `alice`, or `alice/x` for her server 'x'. */
const serverPath = (name: string, server: string): string => (server ? `${name}/${server}` : name);
const scopeTarget = (name: string, server: string) => ({ user: name, server: `${name}/${server}` });

function wantsJson(request: FastifyRequest): boolean {
  return /application\/json/.test(String(request.headers.accept ?? ''));
}

export async function viewOf(manager: ServerManager, userName: string, serverName = ''): Promise<ServerView> {
  const live = manager.status(userName, serverName);
  const record = (await manager.records(userName)).find((r) => r.name === serverName);
  const phase = live
    ? live.pending === 'spawn'
      ? 'starting'
      : live.pending === 'stop'
        ? 'stopping'
        : 'running'
    : 'stopped';
  return {
    userName,
    serverName,
    phase,
    url: manager.publicUrl(userName, serverName),
    progressUrl: manager.progressUrl(userName, serverName),
    apiUrl: manager.progressUrl(userName, serverName).replace(/\/progress$/, ''),
    started: record?.started ?? null,
    lastActivity: record?.lastActivity ?? null,
    stopped: phase === 'stopped' ? manager.lastStop(userName, serverName) : undefined,
  };
}

export interface HomeDeps {
  servers: ServerManager;
  urls: HubUrls;
  /** The courses the user has a role in, every course for an admin (linked from the home page). */
  coursesOf: (user: { name: string; admin: boolean }) => Promise<HomeCourse[]>;
}

export function registerHomePages(app: FastifyInstance, deps: HomeDeps): void {
  const { servers: manager, urls } = deps;

  /** The signed-in caller, or undefined after sending the browser to the login page. */
  function caller(request: FastifyRequest, reply: FastifyReply): Identity | undefined {
    if (request.identity) return request.identity;
    void reply.redirect(loginUrlFor(request.url, urls), 302);
    return undefined;
  }

  function forbidden(reply: FastifyReply, identity: Identity, name: string, server = ''): FastifyReply {
    const which = server ? `${name}'s server '${server}'` : `${name}'s server`;
    return sendHtml(
      reply,
      403,
      homeError(identity, `You (${identity.user.name}) may not start or stop ${which}.`),
    );
  }

  function homeError(identity: Identity, text: string): string {
    return serverErrorPage({ urls, user: identity.user, text });
  }

  registerSpawnGetRoutes(app, { servers: manager, urls, caller, errorPage: homeError });

  app.get(urls.hub('home/server.js'), async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SERVER_SCRIPT),
  );

  app.get(urls.hub('home'), async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const view = await viewOf(manager, identity.user.name);
    return sendHtml(
      reply,
      200,
      homePage({
        urls,
        user: identity.user,
        view,
        csrfToken: request.session?.csrfToken,
        courses: await deps.coursesOf(identity.user),
        named: await namedServersOf(manager, identity.user.name),
      }),
    );
  });

  async function spawn(
    request: FastifyRequest<NameParams>,
    reply: FastifyReply,
    server: string,
  ): Promise<FastifyReply> {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    if (!hasScope(identity.scopes, 'servers', scopeTarget(name, server)))
      return forbidden(reply, identity, name, server);
    const next = safeServerPath(request.query.next, manager.publicUrl(name, server));
    try {
      await manager.start(name, server);
    } catch (error) {
      if (!(error instanceof ServerRequestError)) throw error;
      if (error.status === 400 && manager.status(name, server)?.ready) return reply.redirect(next, 303);
      if (wantsJson(request))
        return reply.code(error.status).send({ status: error.status, message: error.describe() });
      const view = await viewOf(manager, name);
      return sendHtml(
        reply,
        error.status,
        homePage({
          urls,
          user: identity.user,
          view,
          csrfToken: request.session?.csrfToken,
          courses: await deps.coursesOf(identity.user),
          named: await namedServersOf(manager, identity.user.name),
          flash: { kind: 'error', text: error.describe() },
        }),
      );
    }
    // An admin starting someone else's server from the console goes back to the console.
    if (identity.user.name !== name && !wantsJson(request)) return reply.redirect(urls.hub('admin'), 303);
    const pending = `${urls.hub(`spawn-pending/${serverPath(name, server)}`)}?next=${encodeURIComponent(next)}`;
    if (wantsJson(request))
      return reply
        .code(202)
        .send({ status: 202, progress_url: manager.progressUrl(name, server), next: pending });
    return reply.redirect(pending, 303);
  }

  app.post<NameParams>(urls.hub('spawn/:name'), (request, reply) => spawn(request, reply, ''));
  app.post<NameParams>(urls.hub('spawn/:name/:server'), (request, reply) =>
    spawn(request, reply, request.params.server ?? ''),
  );
  // "Add New Server": the name comes in the form, not the path.
  app.post<NameParams>(urls.hub('named-servers/:name'), (request, reply) => {
    const field = (request.body as Record<string, unknown> | undefined)?.server_name;
    return spawn(request, reply, typeof field === 'string' ? field.trim() : '');
  });

  async function spawnPending(request: FastifyRequest<NameParams>, reply: FastifyReply) {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    const server = request.params.server ?? '';
    if (!hasScope(identity.scopes, 'servers', scopeTarget(name, server)))
      return forbidden(reply, identity, name, server);
    const next = safeServerPath(request.query.next, manager.publicUrl(name, server));
    const view = await viewOf(manager, name, server);
    if (view.phase === 'running') return reply.redirect(next, 302);
    return sendHtml(
      reply,
      200,
      spawnPendingPage({ urls, user: identity.user, view, next, csrfToken: request.session?.csrfToken }),
    );
  }
  app.get<NameParams>(urls.hub('spawn-pending/:name'), spawnPending);
  app.get<NameParams>(urls.hub('spawn-pending/:name/:server'), spawnPending);

  /** Stops (or, with `remove`, deletes) a server, then back to the home page or the console. */
  async function stop(request: FastifyRequest<NameParams>, reply: FastifyReply, remove: boolean) {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    const server = request.params.server ?? '';
    if (!hasScope(identity.scopes, 'delete:servers', scopeTarget(name, server)))
      return forbidden(reply, identity, name, server);
    try {
      await (remove ? await manager.remove(name, server) : await manager.stop(name, server)).done;
    } catch (error) {
      if (!(error instanceof ServerRequestError)) throw error;
      return sendHtml(reply, error.status, homeError(identity, error.describe()));
    }
    return reply.redirect(identity.user.name === name ? urls.hub('home') : urls.hub('admin'), 303);
  }
  app.post<NameParams>(urls.hub('stop/:name'), (request, reply) => stop(request, reply, false));
  app.post<NameParams>(urls.hub('stop/:name/:server'), (request, reply) => stop(request, reply, false));
  app.post<NameParams>(urls.hub('delete-server/:name/:server'), (request, reply) =>
    stop(request, reply, true),
  );

  app.get<NameParams>(urls.hub('user/:name'), async (request, reply) =>
    reply.redirect(urls.hub(`user/${encodeURIComponent(request.params.name)}/`), 302),
  );

  // The proxy sends browsers here when BASE/user/NAME/... has no route (JupyterHub's user redirect).
  app.get<{ Params: { name: string; '*': string } }>(urls.hub('user/:name/*'), async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    // The rest of the path as the browser sent it (still percent-encoded: `a%20b.ipynb`), not
    // Fastify's decoded wildcard, so that the server gets the same path back.
    const afterPrefix = request.url.split('?')[0]!.slice(urls.hub('user/').length);
    let tail = afterPrefix.slice(afterPrefix.indexOf('/') + 1);
    // /hub/user/alice/x/... is alice's server 'x' when she has one of that name (JupyterHub's rule).
    const server = await manager.serverNameInPath(name, tail);
    if (server) tail = tail.slice(server.length + 1);
    const target = `${manager.publicUrl(name, server)}${tail}${query}`;
    if (
      identity.user.name !== name &&
      !hasScope(identity.scopes, 'access:servers', scopeTarget(name, server))
    )
      return sendHtml(
        reply,
        403,
        homeError(identity, `This is ${name}'s server; you are logged in as ${identity.user.name}.`),
      );
    const view = await viewOf(manager, name, server);
    // Running now (the route was being added, or the proxy restarted): try the server again,
    // once; a marker stops a redirect loop if the proxy still has no route.
    const next = safeServerPath(target.replace(/[?&]redirects=1$/, ''), manager.publicUrl(name, server));
    if (view.phase === 'running' && !('redirects' in (request.query as Record<string, unknown>)))
      return reply.redirect(`${next}${next.includes('?') ? '&' : '?'}redirects=1`, 302);
    return sendHtml(
      reply,
      view.phase === 'running' ? 503 : 424,
      serverNotRunningPage({
        urls,
        user: identity.user,
        view,
        next,
        csrfToken: request.session?.csrfToken,
        flash:
          view.phase === 'running'
            ? {
                kind: 'error',
                text: 'The server runs, but the proxy has no route to it yet. Try again in a moment.',
              }
            : undefined,
      }),
    );
  });
}
