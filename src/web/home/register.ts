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
import { safeServerPath } from './safe-server-path.js';
import { SERVER_SCRIPT } from './server-script.js';
import { registerSpawnGetRoutes } from './root-and-spawn.js';
import { sendHtml } from '../respond.js';

type NameParams = { Params: { name: string }; Querystring: { next?: string } };

function wantsJson(request: FastifyRequest): boolean {
  return /application\/json/.test(String(request.headers.accept ?? ''));
}

async function viewOf(manager: ServerManager, userName: string): Promise<ServerView> {
  const live = manager.status(userName);
  const record = (await manager.records(userName)).find((r) => r.name === '');
  const phase = live
    ? live.pending === 'spawn'
      ? 'starting'
      : live.pending === 'stop'
        ? 'stopping'
        : 'running'
    : 'stopped';
  return {
    userName,
    phase,
    url: manager.publicUrl(userName),
    progressUrl: manager.progressUrl(userName),
    apiUrl: manager.progressUrl(userName).replace(/\/progress$/, ''),
    started: record?.started ?? null,
    lastActivity: record?.lastActivity ?? null,
    stopped: phase === 'stopped' ? manager.lastStop(userName) : undefined,
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

  function forbidden(reply: FastifyReply, identity: Identity, name: string): FastifyReply {
    return sendHtml(
      reply,
      403,
      homeError(identity, `You (${identity.user.name}) may not start or stop ${name}'s server.`),
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
      }),
    );
  });

  app.post<NameParams>(urls.hub('spawn/:name'), async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    if (!hasScope(identity.scopes, 'servers', { user: name })) return forbidden(reply, identity, name);
    const next = safeServerPath(request.query.next, manager.publicUrl(name));
    try {
      await manager.start(name);
    } catch (error) {
      if (!(error instanceof ServerRequestError)) throw error;
      if (error.status === 400 && manager.status(name)?.ready) return reply.redirect(next, 303);
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
          flash: { kind: 'error', text: error.describe() },
        }),
      );
    }
    // An admin starting someone else's server from the console goes back to the console.
    if (identity.user.name !== name && !wantsJson(request)) return reply.redirect(urls.hub('admin'), 303);
    const pending = `${urls.hub(`spawn-pending/${name}`)}?next=${encodeURIComponent(next)}`;
    if (wantsJson(request))
      return reply.code(202).send({ status: 202, progress_url: manager.progressUrl(name), next: pending });
    return reply.redirect(pending, 303);
  });

  app.get<NameParams>(urls.hub('spawn-pending/:name'), async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    if (!hasScope(identity.scopes, 'servers', { user: name })) return forbidden(reply, identity, name);
    const next = safeServerPath(request.query.next, manager.publicUrl(name));
    const view = await viewOf(manager, name);
    if (view.phase === 'running') return reply.redirect(next, 302);
    return sendHtml(
      reply,
      200,
      spawnPendingPage({ urls, user: identity.user, view, next, csrfToken: request.session?.csrfToken }),
    );
  });

  app.post<NameParams>(urls.hub('stop/:name'), async (request, reply) => {
    const identity = caller(request, reply);
    if (!identity) return reply;
    const { name } = request.params;
    if (!hasScope(identity.scopes, 'delete:servers', { user: name })) return forbidden(reply, identity, name);
    try {
      await (
        await manager.stop(name)
      ).done;
    } catch (error) {
      if (!(error instanceof ServerRequestError)) throw error;
      return sendHtml(reply, error.status, homeError(identity, error.describe()));
    }
    return reply.redirect(identity.user.name === name ? urls.hub('home') : urls.hub('admin'), 303);
  });

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
    const tail = afterPrefix.slice(afterPrefix.indexOf('/') + 1);
    const target = `${manager.publicUrl(name)}${tail}${query}`;
    if (identity.user.name !== name && !hasScope(identity.scopes, 'access:servers', { user: name }))
      return sendHtml(
        reply,
        403,
        homeError(identity, `This is ${name}'s server; you are logged in as ${identity.user.name}.`),
      );
    const view = await viewOf(manager, name);
    // Running now (the route was being added, or the proxy restarted): try the server again,
    // once; a marker stops a redirect loop if the proxy still has no route.
    const next = safeServerPath(target.replace(/[?&]redirects=1$/, ''), manager.publicUrl(name));
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
