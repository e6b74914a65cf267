/**
 * The server routes of JupyterHub's REST API: start and stop a user's default server
 * (`/users/NAME/server`) or a named one (`/users/NAME/servers/SERVER`; an empty SERVER is the
 * default server), remove a named one (DELETE with `{"remove": true}`), and follow a start's
 * progress as an event stream. Who may: the `servers` scope on that user or server (a user has it
 * on themself through `self`, admins on everyone through `admin:servers`); stopping needs
 * `delete:servers`, progress `read:servers`. Named servers answer 400 unless
 * spawner.allowNamedServers is on, as JupyterHub's allow_named_servers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServerRequestError, ServerStartError } from '../servers/errors.js';
import type { ServerManager } from '../servers/server-manager.js';
import type { UserOptions } from '../spawner/spawner.js';
import type { ProgressEvent } from '../servers/progress-log.js';
import type { HubUrls } from '../urls.js';
import { ApiError, toApiError } from './api-error.js';
import { requireScope } from './authorize.js';
import { objectBody, optionalBoolean } from './body.js';

/** How long POST/DELETE wait before answering 202 (JupyterHub's slow_spawn_timeout is 10 s). */
const ANSWER_WITHIN_MS = 10_000;

function within(promise: Promise<void>, ms: number): Promise<'done' | 'pending'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('pending'), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve('done');
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function asApiError(error: unknown): unknown {
  if (error instanceof ServerRequestError)
    return new ApiError(error.status, error.message, { hint: error.hint });
  return error;
}

function sendEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  subscribe: (send: (e: ProgressEvent) => void) => () => void,
): void {
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  let unsubscribe = (): void => undefined;
  const send = (event: ProgressEvent): void => {
    out.write(`data: ${JSON.stringify(event)}\n\n`);
    if (event.ready || event.failed) {
      unsubscribe();
      out.end();
    }
  };
  unsubscribe = subscribe(send);
  request.raw.on('close', () => unsubscribe());
}

/** The server routes under BASE/hub/api, with the API's JSON errors. */
export async function registerServerApi(
  app: FastifyInstance,
  deps: { servers: ServerManager; urls: HubUrls },
): Promise<void> {
  await app.register(
    async (api) => {
      // Same JSON errors as the rest of /hub/api (JupyterHub's {status, message}).
      api.setErrorHandler(async (error, request, reply) => {
        const known = toApiError(error);
        if (known) return reply.code(known.status).send({ status: known.status, message: known.message });
        request.log.error({ err: error }, 'server API request failed');
        const message =
          error instanceof ServerStartError
            ? error.describe()
            : 'The hub hit an unexpected error; it has been logged.';
        return reply.code(500).send({ status: 500, message });
      });
      registerServerRoutes(api, deps.servers);
    },
    { prefix: deps.urls.api() },
  );
}

type ServerParams = { Params: { name: string; server?: string } };

/** The server a route acts on: `:server` ('' for /server and for the empty name of /servers/). */
const serverOf = (request: FastifyRequest<ServerParams>): string => request.params.server ?? '';

const scopeTarget = (name: string, server: string) => ({ user: name, server: `${name}/${server}` });

function registerServerRoutes(api: FastifyInstance, manager: ServerManager): void {
  async function start(request: FastifyRequest<ServerParams>, reply: FastifyReply) {
    const { name } = request.params;
    const server = serverOf(request);
    requireScope(request, 'servers', scopeTarget(name, server));
    // The body is JupyterHub's user_options: what the user chose for this server, copied without
    // a prototype so that "__proto__" is an option name like any other. `_xsrf` (the CSRF field
    // of a form) is not an option.
    const userOptions = Object.assign(Object.create(null) as UserOptions, objectBody(request.body, true));
    delete userOptions._xsrf;
    try {
      const ticket = await manager.start(name, server, userOptions);
      const outcome = await within(ticket.ready, ANSWER_WITHIN_MS);
      return reply.code(outcome === 'done' ? 201 : 202).send();
    } catch (error) {
      throw asApiError(error);
    }
  }

  async function stop(request: FastifyRequest<ServerParams>, reply: FastifyReply) {
    const { name } = request.params;
    const server = serverOf(request);
    requireScope(request, 'delete:servers', scopeTarget(name, server));
    const remove = optionalBoolean(objectBody(request.body, true).remove, 'remove') ?? false;
    try {
      await manager.requireKnownServer(name, server);
      const { done } = remove ? await manager.remove(name, server) : await manager.stop(name, server);
      const outcome = await within(done, ANSWER_WITHIN_MS);
      return reply.code(outcome === 'done' ? 204 : 202).send();
    } catch (error) {
      throw asApiError(error);
    }
  }

  async function progress(request: FastifyRequest<ServerParams>, reply: FastifyReply) {
    const { name } = request.params;
    const server = serverOf(request);
    requireScope(request, 'read:servers', scopeTarget(name, server));
    try {
      await manager.requireKnownServer(name, server);
    } catch (error) {
      throw asApiError(error);
    }
    const log = manager.progressOf(name, server);
    if (!log) {
      throw new ApiError(
        400,
        `${name}'s server${server ? ` '${server}'` : ''} is not running and not starting.`,
        {
          hint: `Start it with POST ${manager.progressUrl(name, server).replace(/\/progress$/, '')}.`,
        },
      );
    }
    sendEvents(request, reply, (send) => log.subscribe(send));
  }

  api.post<ServerParams>('/users/:name/server', start);
  api.delete<ServerParams>('/users/:name/server', stop);
  api.get<ServerParams>('/users/:name/server/progress', progress);
  for (const path of ['/users/:name/servers/:server', '/users/:name/servers/']) {
    api.post<ServerParams>(path, start);
    api.delete<ServerParams>(path, stop);
  }
  api.get<ServerParams>('/users/:name/servers/:server/progress', progress);
  // JupyterHub documents `servers//progress` as the default server's progress too.
  api.get<ServerParams>('/users/:name/servers//progress', progress);
}
