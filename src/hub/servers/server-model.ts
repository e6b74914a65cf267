/**
 * JupyterHub's server model (`servers` / `server` / `pending` of the user JSON), filled in for
 * the REST API's user serializer; the composition root (src/app/services.ts) hands it over.
 */
import type { ServerFields, ServerModel } from '../api/user-model.js';
import type { ServerManager } from './server-manager.js';

export async function serverFieldsOf(manager: ServerManager, userName: string): Promise<ServerFields> {
  const servers: Record<string, ServerModel> = {};
  for (const record of await manager.records(userName)) {
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
