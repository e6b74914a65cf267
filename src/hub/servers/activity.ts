/**
 * Each server's and user's `last_activity`, as JupyterHub keeps them, whether or not the built-in
 * culler runs (an external culler reads them through the REST API). Activity comes from:
 *   - the proxy's routes: their `last_activity` moves with every proxied request (the hub polls
 *     the proxy's route list, as JupyterHub polls configurable-http-proxy's);
 *   - each running server's own `/api/status` `last_activity`, which moves while a kernel
 *     computes with no browser attached (a plain notebook server never posts it to the hub);
 *   - `POST /hub/api/users/NAME/activity` (JupyterHub's singleuser server, services).
 * Times only ever move forward: late or out-of-order reports change nothing.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerStore } from '../../db/stores/servers.js';
import type { UserStore } from '../../db/stores/users.js';
import type { ServerRoutes } from './collaborators.js';
import type { ServerManager } from './server-manager.js';

async function serverStatusActivity(url: string, token: string): Promise<number | undefined> {
  try {
    const response = await fetch(new URL('api/status', url), {
      headers: { authorization: `token ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) return undefined;
    const status = (await response.json()) as { last_activity?: string };
    const at = status.last_activity ? Date.parse(status.last_activity) : NaN;
    return Number.isNaN(at) ? undefined : at;
  } catch {
    return undefined;
  }
}

function latest(...times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined && !Number.isNaN(t));
  return known.length ? Math.max(...known) : undefined;
}

export interface ServerActivityOptions {
  manager: ServerManager;
  servers: ServerStore;
  users: UserStore;
  /** The proxy's routes, with their last_activity. */
  routes: ServerRoutes;
  log: FastifyBaseLogger;
}

export class ServerActivity {
  constructor(private readonly options: ServerActivityOptions) {}

  /** The user's last activity moves to `when` (ISO-8601 UTC) if that is later. */
  async recordUser(userName: string, when: Date): Promise<void> {
    await this.options.users.moveActivityForward(userName, when.toISOString());
  }

  /** The server's last activity moves to `when` if later; false if the user has no such server. */
  async recordServer(userName: string, serverName: string, when: Date): Promise<boolean> {
    const record = await this.options.servers.get(userName, serverName);
    if (!record) return false;
    await this.options.servers.moveActivityForward(record.userId, serverName, when.toISOString());
    return true;
  }

  /** Names of the user's servers that have a row (running, starting or stopping). */
  async serverNames(userName: string): Promise<string[]> {
    return (await this.options.servers.forUser(userName)).map((r) => r.name);
  }

  /**
   * One round over every ready server: the latest of its proxy route's activity and its own
   * `/api/status` moves the server's and its user's last activity forward.
   */
  async poll(): Promise<void> {
    const { manager, routes } = this.options;
    const proxyRoutes = (routes.getRoutes ? await routes.getRoutes().catch(() => ({})) : {}) as Record<
      string,
      { last_activity?: string }
    >;
    let moved = 0;
    for (const server of manager.readyServers()) {
      const current = server.spawner.current();
      if (!current) continue;
      const routePath = manager.publicUrl(server.userName, server.serverName).replace(/\/$/, '');
      const route = proxyRoutes[routePath] ?? proxyRoutes[`${routePath}/`];
      const activity = latest(
        route?.last_activity ? Date.parse(route.last_activity) : undefined,
        await serverStatusActivity(current.url, current.token),
      );
      if (activity === undefined) continue;
      const when = new Date(activity);
      await this.options.servers.moveActivityForward(server.userId, server.serverName, when.toISOString());
      await this.recordUser(server.userName, when);
      moved++;
    }
    this.options.log.debug({ servers: moved }, 'recorded server activity');
  }
}
