/**
 * User servers over the app's life (the ServerManager itself is built by the composition root,
 * src/app/services.ts, and its REST routes are the API's, src/hub/api/servers.ts): re-attaching
 * to servers that outlived the last hub process once the app is ready, the poll loop, the
 * activity recorder (always) and the idle culler (when configured), and the stop when the app
 * closes.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ServerActivity } from './activity.js';
import { cullIdleServers } from './idle-culler.js';
import type { ServerManager } from './server-manager.js';

export interface ServerLifecycleDeps {
  servers: ServerManager;
  /** Records servers' and users' last activity from the proxy's routes and the servers. */
  activity: ServerActivity;
  /** spawner.cullIdleTimeoutSeconds (0: no culling). */
  cullIdleTimeoutSeconds: number;
  /** spawner.activityIntervalSeconds: how often activity is recorded (JupyterHub's last_activity_interval). */
  activityIntervalSeconds: number;
  log: FastifyBaseLogger;
}

export function registerServerLifecycle(app: FastifyInstance, deps: ServerLifecycleDeps): void {
  const { servers: manager, activity, log } = deps;
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await manager.reattach();
    manager.startBackgroundTasks(async () => {
      await cullIdleServers({ manager, activity, timeoutSeconds: deps.cullIdleTimeoutSeconds, log });
    });
    // Activity is recorded whether or not the culler runs: external cullers read it.
    let running = false;
    timer = setInterval(() => {
      if (running) return;
      running = true;
      activity
        .poll()
        .catch((err: unknown) => log.error({ err }, 'recording server activity failed'))
        .finally(() => (running = false));
    }, deps.activityIntervalSeconds * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await manager.close();
  });
}
