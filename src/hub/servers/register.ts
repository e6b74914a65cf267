/**
 * User servers, as routes and hooks (the ServerManager itself is built by the composition root,
 * src/app/services.ts): the server routes of the REST API, re-attaching to servers that outlived
 * the last hub process once the app is ready, the poll loop and the idle culler, and the stop
 * when the app closes. Register after the identity hook (the routes rely on request.identity).
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { toApiError } from '../api/api-error.js';
import { registerServerRoutes } from '../api/servers.js';
import type { HubUrls } from '../urls.js';
import { ServerStartError } from './errors.js';
import { cullIdleServers } from './idle-culler.js';
import type { ServerManager, ServerRoutes } from './server-manager.js';

export interface ServerAreaDeps {
  servers: ServerManager;
  /** The proxy's routes, whose activity the culler reads. */
  routes: ServerRoutes;
  /** spawner.cullIdleTimeoutSeconds (0: no culling). */
  cullIdleTimeoutSeconds: number;
  log: FastifyBaseLogger;
  urls: HubUrls;
}

export async function registerServers(app: FastifyInstance, deps: ServerAreaDeps): Promise<void> {
  const { servers: manager, routes, log } = deps;
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
      registerServerRoutes(api, manager, deps.urls);
    },
    { prefix: deps.urls.api() },
  );

  app.addHook('onReady', async () => {
    await manager.reattach();
    manager.startBackgroundTasks(async () => {
      await cullIdleServers({ manager, routes, timeoutSeconds: deps.cullIdleTimeoutSeconds, log });
    });
  });
  app.addHook('onClose', async () => {
    await manager.close();
  });
}
