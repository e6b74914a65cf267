/**
 * The user JSON of JupyterHub's REST API, cut to what the caller's scopes allow, field by field,
 * as JupyterHub 5's `user_model` does. Its server fields (`server`, `pending`, `servers`) come
 * from a ServerFieldsProvider, which the composition root (src/app/services.ts) makes over the
 * ServerManager (src/hub/servers/server-model.ts).
 */
import type { ServerFields, ServerModel } from '../servers/server-model.js';
import type { HubUser } from '../users/user-service.js';

export type { ServerFields, ServerModel } from '../servers/server-model.js';
import { hasScope, roleNames, type ScopeTarget } from '../scopes.js';

/** Each user's servers, as the user JSON (and the admin console) show them. */
export type ServerFieldsProvider = (user: HubUser) => Promise<ServerFields>;

/**
 * Which fields each scope shows of a user (JupyterHub 5's access map). The model is the union
 * over the scopes the caller holds on that user; `kind` and `name` come with any of them.
 */
const USER_FIELDS_BY_SCOPE: Record<string, readonly string[]> = {
  'read:users': ['admin', 'roles', 'groups', 'server', 'pending', 'created', 'last_activity'],
  'read:users:name': ['admin'],
  'read:users:groups': ['groups'],
  'read:users:activity': ['last_activity'],
  'read:servers': ['servers'],
  'read:roles:users': ['roles', 'admin'],
  'admin:auth_state': ['auth_state'],
};

export interface UserModelOptions {
  /** `?include_stopped_servers`: list servers that are stopped too (JupyterHub 3+). */
  includeStoppedServers?: boolean;
}

/** The fields of a user that `scopes` let the caller see, or none at all. */
export function visibleUserFields(scopes: Set<string>, target: ScopeTarget): Set<string> {
  const fields = new Set<string>();
  for (const [scope, shown] of Object.entries(USER_FIELDS_BY_SCOPE))
    if (hasScope(scopes, scope, target)) for (const field of ['kind', 'name', ...shown]) fields.add(field);
  return fields;
}

/**
 * Keys of a spawner's state that are credentials (the local spawner keeps the server's own API
 * token there, so that a restarted hub can reach it): never sent over the API, even to admins.
 */
const SECRET_STATE_KEYS = new Set(['token', 'api_token', 'apiToken']);

/** One server as the caller may see it: `state` only with `admin:server_state` on it. */
function visibleServer(
  server: ServerModel,
  scopes: Set<string>,
  target: ScopeTarget,
): Record<string, unknown> {
  const { state, ...rest } = server;
  if (!hasScope(scopes, 'admin:server_state', target)) return rest;
  return {
    ...rest,
    state: Object.fromEntries(Object.entries(state).filter(([k]) => !SECRET_STATE_KEYS.has(k))),
  };
}

/**
 * The user as the caller may see them; `{}` when no scope shows anything of them (JupyterHub
 * leaves such users out of lists). `servers` lists each server the caller holds `read:servers`
 * on (a `!server=` filter counts), and is present, maybe empty, whenever they hold it on the user.
 */
export async function userModel(
  serverFields: ServerFieldsProvider,
  user: HubUser,
  scopes: Set<string>,
  options: UserModelOptions = {},
): Promise<Record<string, unknown>> {
  const target: ScopeTarget = { user: user.name, userGroups: user.groups };
  const visible = visibleUserFields(scopes, target);
  if (visible.size === 0) return {};
  const fields = await serverFields(user);
  const servers: Record<string, unknown> = {};
  for (const [name, server] of Object.entries(fields.servers)) {
    const serverTarget = { ...target, server: `${user.name}/${name}` };
    if (server.stopped && !options.includeStoppedServers) continue;
    if (hasScope(scopes, 'read:servers', serverTarget))
      servers[name] = visibleServer(server, scopes, serverTarget);
  }
  const all: Record<string, unknown> = {
    kind: 'user',
    name: user.name,
    admin: user.admin,
    roles: roleNames(user),
    groups: user.groups,
    server: fields.server,
    pending: fields.pending,
    created: user.created,
    last_activity: user.lastActivity,
    auth_state: null,
  };
  const model: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) if (visible.has(key)) model[key] = value;
  if (visible.has('servers') || Object.keys(servers).length > 0) model.servers = servers;
  return model;
}
