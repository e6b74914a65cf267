/**
 * The idle culler (JupyterHub runs it as a separate service; here it is a loop in the hub):
 * a server whose last activity is older than spawner.cullIdleTimeoutSeconds is stopped.
 * Activity is the latest of: traffic through the proxy route, and the server's own
 * `/api/status` `last_activity` (which moves while a kernel computes, even with no browser open).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerManager, ServerRoutes } from './server-manager.js';

async function serverLastActivity(url: string, token: string): Promise<number | undefined> {
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

export interface IdleCullerOptions {
  manager: ServerManager;
  routes: ServerRoutes;
  timeoutSeconds: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

/** One round: records each server's last activity, and stops those idle too long. */
export async function cullIdleServers(options: IdleCullerOptions): Promise<string[]> {
  const { manager, routes, log } = options;
  const now = (options.now ?? Date.now)();
  const proxyRoutes = routes.getRoutes ? await routes.getRoutes().catch(() => ({})) : {};
  const culled: string[] = [];
  for (const server of manager.readyServers()) {
    const current = server.spawner.current();
    if (!current) continue;
    const record = (await manager.records(server.userName)).find((r) => r.name === server.serverName);
    if (!record) continue;
    const routePath = manager.publicUrl(server.userName, server.serverName).replace(/\/$/, '');
    const route = (proxyRoutes as Record<string, { last_activity?: string }>)[routePath];
    const activity = latest(
      record.lastActivity ? Date.parse(record.lastActivity) : undefined,
      record.started ? Date.parse(record.started) : undefined,
      route?.last_activity ? Date.parse(route.last_activity) : undefined,
      await serverLastActivity(current.url, current.token),
    );
    if (activity === undefined) continue;
    if (record.lastActivity === null || activity > Date.parse(record.lastActivity))
      await manager.store.update(server.userId, server.serverName, {
        lastActivity: new Date(activity).toISOString(),
      });
    const idleSeconds = (now - activity) / 1000;
    if (idleSeconds > options.timeoutSeconds) {
      log.info(
        { user: server.userName, server: server.serverName, idleSeconds: Math.round(idleSeconds) },
        'culling idle server',
      );
      await (
        await manager.stop(server.userName, server.serverName)
      ).done;
      culled.push(server.userName);
    }
  }
  return culled;
}
