/**
 * The user JSON of JupyterHub's REST API. Its server fields (`server`, `pending`, `servers`) come
 * from a ServerFieldsProvider, which the composition root (src/app/services.ts) makes over the
 * ServerManager (src/hub/servers/server-model.ts).
 */
import type { ServerFields } from '../servers/server-model.js';
import type { HubUser } from '../users/user-service.js';

export type { ServerFields, ServerModel } from '../servers/server-model.js';
import { hasScope, roleNames } from '../scopes.js';

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
