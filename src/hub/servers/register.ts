/**
 * User servers over the app's life (the ServerManager itself is built by the composition root,
 * src/app/services.ts, and its REST routes are the API's, src/hub/api/servers.ts): re-attaching
 * to servers that outlived the last hub process once the app is ready, the poll loop and the idle
 * culler, and the stop when the app closes.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { cullIdleServers } from './idle-culler.js';
import type { ServerManager, ServerRoutes } from './server-manager.js';

export interface ServerLifecycleDeps {
  servers: ServerManager;
  /** The proxy's routes, whose activity the culler reads. */
  routes: ServerRoutes;
  /** spawner.cullIdleTimeoutSeconds (0: no culling). */
  cullIdleTimeoutSeconds: number;
  log: FastifyBaseLogger;
}

export function registerServerLifecycle(app: FastifyInstance, deps: ServerLifecycleDeps): void {
  const { servers: manager, routes, log } = deps;
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
