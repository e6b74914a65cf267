/**
 * The server routes of JupyterHub's REST API: start and stop a user's default server, and follow
 * a start's progress as an event stream. Who may: the `servers` scope on that user (a user has it
 * on themself through `self`, admins on everyone through `admin:servers`); progress needs
 * `read:servers`. Named servers are not offered (yet): asking for one is a clear 400.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServerRequestError, ServerStartError } from '../servers/errors.js';
import type { ServerManager } from '../servers/server-manager.js';
import type { UserOptions } from '../spawner/spawner.js';
import type { ProgressEvent } from '../servers/progress-log.js';
import type { HubUrls } from '../urls.js';
import { ApiError, toApiError } from './api-error.js';
import { requireScope } from './authorize.js';
import { objectBody } from './body.js';

type NameParams = { Params: { name: string } };

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
      registerServerRoutes(api, deps.servers, deps.urls);
    },
    { prefix: deps.urls.api() },
  );
}

function registerServerRoutes(api: FastifyInstance, manager: ServerManager, urls: HubUrls): void {
  api.post<NameParams>('/users/:name/server', async (request, reply) => {
    const { name } = request.params;
    requireScope(request, 'servers', { user: name });
    // The body is JupyterHub's user_options: what the user chose for this server, copied without
    // a prototype so that "__proto__" is an option name like any other. `_xsrf` (the CSRF field
    // of a form) is not an option.
    const userOptions = Object.assign(Object.create(null) as UserOptions, objectBody(request.body, true));
    delete userOptions._xsrf;
    try {
      const ticket = await manager.start(name, '', userOptions);
      const outcome = await within(ticket.ready, ANSWER_WITHIN_MS);
      return reply.code(outcome === 'done' ? 201 : 202).send();
    } catch (error) {
      throw asApiError(error);
    }
  });

  api.delete<NameParams>('/users/:name/server', async (request, reply) => {
    const { name } = request.params;
    requireScope(request, 'delete:servers', { user: name });
    try {
      const { done } = await manager.stop(name);
      const outcome = await within(done, ANSWER_WITHIN_MS);
      return reply.code(outcome === 'done' ? 204 : 202).send();
    } catch (error) {
      throw asApiError(error);
    }
  });

  api.get<NameParams>('/users/:name/server/progress', async (request, reply) => {
    const { name } = request.params;
    requireScope(request, 'read:servers', { user: name });
    const progress = manager.progressOf(name);
    if (!progress) {
      throw new ApiError(400, `${name}'s server is not running and not starting.`, {
        hint: `Start it with POST ${manager.progressUrl(name).replace(/\/progress$/, '')}.`,
      });
    }
    sendEvents(request, reply, (send) => progress.subscribe(send));
  });

  for (const method of ['post', 'delete'] as const)
    api[method]<{ Params: { name: string; server: string } }>(
      '/users/:name/servers/:server',
      async (request) => {
        requireScope(request, 'servers', { user: request.params.name });
        throw new ApiError(400, 'Named servers are not enabled on this hub.', {
          hint: `Use the default server: ${urls.api(`users/${request.params.name}/server`)}.`,
        });
      },
    );
}
