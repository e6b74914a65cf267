/**
 * The user JSON of JupyterHub's REST API. Its server fields (`server`, `pending`, `servers`) come
 * from a ServerFieldsProvider, which the composition root (src/app/services.ts) makes over the
 * ServerManager (src/hub/servers/server-model.ts).
 */
import type { HubUser } from '../users/user-service.js';
import { hasScope, roleNames } from '../scopes.js';

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

/** Each user's servers, as the user JSON (and the admin console) show them. */
export type ServerFieldsProvider = (user: HubUser) => Promise<ServerFields>;

/**
 * The user as the caller may see them: everything with `read:users` on that user, only the name
 * with just `read:users:name` (e.g. `list:users`), and `servers` only with `read:servers`.
 */
export async function userModel(
  serverFields: ServerFieldsProvider,
  user: HubUser,
  scopes: Set<string>,
): Promise<Record<string, unknown>> {
  const target = { user: user.name, userGroups: user.groups };
  const model: Record<string, unknown> = { kind: 'user', name: user.name };
  if (!hasScope(scopes, 'read:users', target)) return model;
  const fields = await serverFields(user);
  Object.assign(model, {
    admin: user.admin,
    roles: roleNames(user),
    groups: user.groups,
    server: fields.server,
    pending: fields.pending,
    created: user.created,
    last_activity: user.lastActivity,
  });
  if (hasScope(scopes, 'read:servers', target)) model.servers = fields.servers;
  return model;
}
