/**
 * JupyterHub's server model (`servers` / `server` / `pending` of the user JSON), filled in for
 * the REST API's user serializer; the composition root (src/app/services.ts) hands it over.
 */
import { isStoppedRecord } from '../../db/stores/servers.js';
import type { ServerManager } from './server-manager.js';

/** JupyterHub's server model for one (named or default) server. */
export interface ServerModel {
  name: string;
  ready: boolean;
  pending: string | null;
  url: string;
  progress_url: string;
  started: string | null;
  last_activity: string | null;
  state?: Record<string, unknown>;
  user_options?: Record<string, unknown>;
}

export interface ServerFields {
  /** URL of the default server when it is ready, else null. */
  server: string | null;
  /** 'spawn' | 'stop' | null while the default server is changing state. */
  pending: string | null;
  /** Every server by name ('' = default), JupyterHub's `servers` dict. */
  servers: Record<string, ServerModel>;
}

export async function serverFieldsOf(manager: ServerManager, userName: string): Promise<ServerFields> {
  const servers: Record<string, ServerModel> = {};
  for (const record of await manager.records(userName)) {
    // A stopped named server is kept (JupyterHub keeps it) but is not one of the active servers.
    if (isStoppedRecord(record)) continue;
    const ready = record.pending === null && record.url !== null;
    servers[record.name] = {
      name: record.name,
      ready,
      pending: record.pending,
      url: manager.publicUrl(userName, record.name),
      progress_url: manager.progressUrl(userName, record.name),
      started: record.started,
      last_activity: record.lastActivity,
      // The spawner state holds the server's token: never shown here.
      state: {},
      user_options: {},
    };
  }
  const own = servers[''];
  return {
    server: own?.ready ? own.url : null,
    pending: own?.pending ?? null,
    servers,
  };
}
