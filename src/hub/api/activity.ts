/**
 * POST /hub/api/users/{name}/activity, as JupyterHub 5: a user's server (the route its
 * JUPYTERHUB_ACTIVITY_URL names) or a service tells the hub when the user was last active,
 * overall (`last_activity`) and per server (`servers: {NAME: {last_activity}}`, '' = default).
 * Needs `users:activity` on the user. Times only move forward; a time more than an hour ahead is
 * refused, as there.
 */
import type { FastifyInstance } from 'fastify';
import { parseUsername } from '../users/username.js';
import { ApiError } from './api-error.js';
import { requireScope } from './authorize.js';
import type { ApiDeps } from './deps.js';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** JupyterHub refuses reports from more than (just under) an hour in the future. */
const MOST_AHEAD_MS = 59 * 60_000;
const SERVERS_SHAPE = 'servers must be a dict of the form {server_name: {last_activity: timestamp}}.';

/** An ISO-8601 time; one without an offset is UTC (as JupyterHub's naive UTC times). */
export function parseActivityTime(value: unknown, now = Date.now()): Date {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = ISO_8601.exec(text);
  const at = match ? Date.parse(match[1] ? text : `${text}Z`) : NaN;
  if (Number.isNaN(at)) throw new ApiError(400, `Not a valid timestamp: ${JSON.stringify(value)}.`);
  if (at - now > MOST_AHEAD_MS)
    throw new ApiError(
      400,
      `Rejecting activity from more than an hour in the future: ${new Date(at).toISOString()}.`,
    );
  return new Date(at);
}

/** The `servers` field checked whole before anything is written: every name must exist. */
function parseServers(value: unknown, known: string[], userName: string): Map<string, Date> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ApiError(400, SERVERS_SHAPE);
  const times = new Map<string, Date>();
  for (const [name, info] of Object.entries(value)) {
    if (!known.includes(name)) throw new ApiError(400, `No such server '${name}' for user ${userName}.`);
    if (typeof info !== 'object' || info === null || !('last_activity' in info))
      throw new ApiError(400, SERVERS_SHAPE);
    times.set(name, parseActivityTime((info as { last_activity: unknown }).last_activity));
  }
  return times;
}

export function registerActivityRoute(api: FastifyInstance, deps: ApiDeps): void {
  api.post<{ Params: { name: string } }>('/users/:name/activity', async (request, reply) => {
    const name = parseUsername(request.params.name);
    const user = await deps.users.get(name);
    requireScope(request, 'users:activity', { user: name, userGroups: user?.groups ?? [] });
    if (!user) throw new ApiError(404, `No such user: ${name}.`);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiError(400, 'body must be a json dict.');
    const { last_activity: lastActivity, servers } = body as Record<string, unknown>;
    if (!lastActivity && !servers)
      throw new ApiError(400, 'body must contain at least one of `last_activity` or `servers`.');
    const serverTimes = servers
      ? parseServers(servers, await deps.activity.serverNames(user.name), user.name)
      : new Map<string, Date>();
    const userTime = lastActivity ? parseActivityTime(lastActivity) : undefined;
    if (userTime) await deps.activity.recordUser(user.name, userTime);
    for (const [server, when] of serverTimes) await deps.activity.recordServer(user.name, server, when);
    return reply.code(200).send();
  });
}
