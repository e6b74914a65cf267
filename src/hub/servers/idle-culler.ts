/**
 * The idle culler (JupyterHub runs it as a separate service; here it is a loop in the hub):
 * a server whose last activity is older than spawner.cullIdleTimeoutSeconds is stopped. Its
 * activity is what ./activity.ts records (proxied traffic, the server's own /api/status, reports
 * to the REST API), brought up to date first, or its start time if nothing came since.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerActivity } from './activity.js';
import type { ServerManager } from './server-manager.js';

export interface IdleCullerOptions {
  manager: ServerManager;
  activity: ServerActivity;
  timeoutSeconds: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

function latest(...times: (string | null)[]): number | undefined {
  const known = times.filter((t): t is string => t !== null).map((t) => Date.parse(t));
  const valid = known.filter((t) => !Number.isNaN(t));
  return valid.length ? Math.max(...valid) : undefined;
}

/** One round: records each server's last activity, and stops those idle too long. */
export async function cullIdleServers(options: IdleCullerOptions): Promise<string[]> {
  const { manager, log } = options;
  await options.activity.poll();
  const now = (options.now ?? Date.now)();
  const culled: string[] = [];
  for (const server of manager.readyServers()) {
    const record = (await manager.records(server.userName)).find((r) => r.name === server.serverName);
    if (!record) continue;
    const activity = latest(record.lastActivity, record.started);
    if (activity === undefined) continue;
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
