/**
 * JupyterHub's server model (`servers` / `server` / `pending` of the user JSON), filled in for
 * the REST API's user serializer; the composition root (src/app/services.ts) hands it over.
 * Every field is here; which of them a caller sees is decided by the scopes (src/hub/api/
 * user-model.ts), as JupyterHub's `server_model` leaves `state` to `admin:server_state`.
 */
import { isStoppedRecord } from '../../db/stores/servers.js';
import type { ServerManager } from './server-manager.js';

/** JupyterHub 5's server model for one (named or default) server. */
export interface ServerModel {
  name: string;
  /** `USER/NAME` (JupyterHub 4+). */
  full_name: string;
  ready: boolean;
  pending: string | null;
  /** Neither ready nor pending (JupyterHub 3+); true only with `?include_stopped_servers`. */
  stopped: boolean;
  url: string;
  progress_url: string;
  /** The server's URL with hub.publicUrl's origin; null without hub.publicUrl (JupyterHub 5). */
  full_url: string | null;
  full_progress_url: string | null;
  started: string | null;
  last_activity: string | null;
  /** The spawner's state (the API leaves its secrets out, and shows it only with `admin:server_state`). */
  state: Record<string, unknown>;
  user_options: Record<string, unknown>;
}

export interface ServerFields {
  /** URL of the default server when it is ready, else null. */
  server: string | null;
  /** 'spawn' | 'stop' | null while the default server is changing state. */
  pending: string | null;
  /** Every server by name ('' = default), JupyterHub's `servers` dict. */
  servers: Record<string, ServerModel>;
}

/** `path` with the origin of hub.publicUrl, as JupyterHub's full_url; null without one. */
function fullUrl(publicUrl: string | undefined, path: string): string | null {
  if (!publicUrl) return null;
  try {
    return new URL(path, new URL(publicUrl).origin).href;
  } catch {
    return null;
  }
}

export async function serverFieldsOf(
  manager: ServerManager,
  userName: string,
  publicUrl?: string,
): Promise<ServerFields> {
  const servers: Record<string, ServerModel> = {};
  for (const record of await manager.records(userName)) {
    // A stopped named server keeps its row (JupyterHub keeps it): it is in the model as
    // `stopped`, and the API shows it only with `?include_stopped_servers`.
    const stopped = isStoppedRecord(record);
    const ready = !stopped && record.pending === null && record.url !== null;
    const url = manager.publicUrl(userName, record.name);
    const progressUrl = manager.progressUrl(userName, record.name);
    servers[record.name] = {
      name: record.name,
      full_name: `${userName}/${record.name}`,
      ready,
      pending: record.pending,
      stopped: stopped || (!ready && record.pending === null),
      url,
      progress_url: progressUrl,
      full_url: fullUrl(publicUrl, url),
      full_progress_url: fullUrl(publicUrl, progressUrl),
      started: record.started,
      last_activity: record.lastActivity,
      state: record.state,
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
