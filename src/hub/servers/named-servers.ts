/**
 * JupyterHub's rules for named servers (`allow_named_servers`, `named_server_limit_per_user`):
 * whether a server name may be started, with JupyterHub's status codes and messages, so that a
 * client written for JupyterHub reads the same answers here.
 */
import { isStoppedRecord, type ServerRecord } from '../../db/stores/servers.js';
import { ServerRequestError } from './errors.js';

export interface NamedServerSettings {
  allowNamedServers: boolean;
  /** 0 = no limit. */
  namedServerLimitPerUser: number;
}

/**
 * Stricter than JupyterHub (which refuses only "/"): a name is one URL path segment, and part of
 * the server's process group and log file names (`USER.SERVER`; usernames have no dot, so no
 * user's default server can share a named server's).
 */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * First path segments of the Jupyter server's own pages and API (notebook 6, jupyter-server,
 * JupyterLab): a named server called so would take those paths away from the user's default
 * server, whose route `/user/NAME/` it lies under.
 */
const JUPYTER_PATHS = new Set([
  'api',
  'tree',
  'notebooks',
  'edit',
  'files',
  'view',
  'terminals',
  'lab',
  'doc',
  'static',
  'custom',
  'nbconvert',
  'kernelspecs',
  'nbextensions',
  'login',
  'logout',
  'metrics',
  'voila',
  'oauth_callback',
]);

/** Why `name` cannot be a server's name, or undefined when it can. */
export function serverNameProblem(name: string): string | undefined {
  if (name.includes('/')) return `Invalid server_name (may not contain '/'): ${name}`;
  if (!SERVER_NAME.test(name))
    return `Invalid server_name: ${name} (use 1 to 64 letters, digits, "_" and "-", starting with a letter or digit).`;
  if (JUPYTER_PATHS.has(name.toLowerCase()))
    return `Invalid server_name: ${name} is a path of the Jupyter server itself (/user/USER/${name}/).`;
  return undefined;
}

/** Refuses (400) a named server when they are off; as JupyterHub, for every named route. */
export function requireNamedServers(settings: NamedServerSettings, serverName: string): void {
  if (serverName !== '' && !settings.allowNamedServers)
    // JupyterHub's message word for word, no hint added: clients may compare it.
    throw new ServerRequestError(400, 'Named servers are not enabled.');
}

/**
 * Checks a start of USER's server SERVER against the settings and the user's rows: named servers
 * on, a valid name, and room under the limit for a server the user does not have yet (running or
 * stopped ones count, the default server does not).
 */
export function checkNamedServerStart(
  settings: NamedServerSettings,
  userName: string,
  serverName: string,
  rows: readonly Pick<ServerRecord, 'name'>[],
): void {
  if (serverName === '') return;
  requireNamedServers(settings, serverName);
  const problem = serverNameProblem(serverName);
  if (problem) throw new ServerRequestError(400, problem);
  const limit = settings.namedServerLimitPerUser;
  const named = rows.filter((row) => row.name !== '');
  if (limit > 0 && !named.some((row) => row.name === serverName) && named.length >= limit)
    throw new ServerRequestError(
      400,
      `User ${userName} already has the maximum of ${limit} named servers.  One must be deleted before a new server can be created`,
    );
}

/** The named servers a user keeps while stopped (JupyterHub lists them on the home page). */
export function stoppedNamedServers(rows: readonly ServerRecord[]): ServerRecord[] {
  return rows.filter((row) => row.name !== '' && isStoppedRecord(row));
}
