/**
 * The OpenAPI 3 description of /hub/api, written by hand (served at /hub/api/openapi.json).
 * test/hub/api/openapi.test.ts fails when a route is registered under /hub/api but missing
 * here, so adding a route means documenting it. Routes owned by other areas (servers, proxy) are
 * listed too, with JupyterHub's shapes.
 */
import type { HubUrls } from '../urls.js';
import { COURSE_OPERATIONS } from './openapi-courses.js';
import { ERR, type Op } from './openapi-types.js';

const USER =
  'User model: {kind, name, admin, roles, groups, server, pending, created, last_activity, servers?, auth_state?}, each field shown only with a scope that allows it, as JupyterHub 5 (read:users, read:users:name, read:users:groups, read:users:activity, read:servers, read:roles:users, admin:auth_state); a server: {name, full_name, ready, pending, stopped, url, progress_url, full_url, full_progress_url, started, last_activity, user_options, state (admin:server_state only)}';

const SERVICE =
  'Service model: {kind: service, name, admin, roles, url, prefix, command, pid, info, display}';

/** path → method → operation. Paths use OpenAPI's `{param}` form. */
const OPERATIONS: Record<string, Record<string, Op>> = {
  '/hub/api': { get: { summary: 'JupyterHub API version', responses: { '200': '{version}' } } },
  '/hub/api/info': {
    get: { summary: 'Hub details', scopes: ['read:hub'], responses: { '200': 'info', ...ERR } },
  },
  '/hub/api/user': {
    get: {
      summary:
        "The authenticated user (or service: kind 'service', JupyterHub's Service model), with its scopes, token_id and session_id (the login an OAuth token was issued under, else null)",
      responses: { '200': `${USER} + scopes, token_id, session_id`, ...ERR },
    },
  },
  '/hub/api/openapi.json': { get: { summary: 'This document', responses: { '200': 'OpenAPI 3.0 JSON' } } },
  '/hub/api/users': {
    get: {
      summary:
        'List users (offset, limit, name_filter, state=active|ready|inactive, sort=id|name|last_activity with - for descending, include_stopped_servers; pagination envelope with the jupyterhub-pagination Accept type)',
      scopes: ['list:users'],
      responses: { '200': `list of ${USER}`, ...ERR },
    },
    post: {
      summary: 'Create several users',
      scopes: ['admin:users'],
      body: '{usernames: [string], admin: boolean}',
      responses: { '201': 'created users', '400': 'invalid names', '409': 'all already exist', ...ERR },
    },
  },
  '/hub/api/users/{name}': {
    get: {
      summary: 'One user (include_stopped_servers)',
      scopes: [
        'read:users',
        'read:users:name',
        'read:servers',
        'read:users:groups',
        'read:users:activity',
        'read:roles:users',
      ],
      responses: { '200': USER, '400': 'invalid name', ...ERR },
    },
    post: {
      summary: 'Create one user',
      scopes: ['admin:users'],
      body: '{admin?: boolean}',
      responses: { '201': USER, '400': 'invalid name', '409': 'exists', ...ERR },
    },
    patch: {
      summary: 'Rename a user or change admin',
      scopes: ['admin:users'],
      body: '{name?: string, admin?: boolean}',
      responses: { '200': USER, '400': 'invalid or taken name', ...ERR },
    },
    delete: {
      summary: 'Delete a user',
      scopes: ['admin:users'],
      responses: { '204': 'deleted', '400': 'yourself', ...ERR },
    },
  },
  '/hub/api/users/{name}/activity': {
    post: {
      summary:
        "Report a user's last activity, overall and per server ('' = the default server); times only move forward",
      scopes: ['users:activity'],
      body: '{last_activity?: ISO-8601 time, servers?: {server_name: {last_activity: ISO-8601 time}}}',
      responses: {
        '200': 'recorded',
        '400': 'bad body or timestamp, a time over an hour ahead, or no such server',
        ...ERR,
      },
    },
  },
  '/hub/api/users/{name}/tokens': {
    get: {
      summary: "A user's tokens",
      scopes: ['read:tokens'],
      responses: { '200': '{api_tokens: [token]}', ...ERR },
    },
    post: {
      summary: 'Create a token (the secret is returned once, as `token`)',
      scopes: ['tokens'],
      body: '{note?: string, expires_in?: whole seconds 1..3155760000 (omit, null or 0: no expiry, as JupyterHub), scopes?: [string], roles?: [string]}',
      responses: {
        '201': 'token model + token',
        '400': 'bad request',
        '403': 'scopes beyond the owner',
        '404': 'No such user',
      },
    },
  },
  '/hub/api/users/{name}/tokens/{id}': {
    get: {
      summary: 'One token (id like a12)',
      scopes: ['read:tokens'],
      responses: { '200': 'token model', ...ERR },
    },
    delete: { summary: 'Revoke a token', scopes: ['tokens'], responses: { '204': 'revoked', ...ERR } },
  },
  '/hub/api/users/{name}/server': {
    post: {
      summary: "Start the user's server",
      scopes: ['servers'],
      body: 'user_options: {name: value} handed to the spawner (the local spawner takes none: 400 names them)',
      responses: { '201': 'started', '202': 'pending', '400': 'user options refused', ...ERR },
    },
    delete: {
      summary: "Stop the user's server",
      scopes: ['servers'],
      responses: { '204': 'stopped', '202': 'pending', ...ERR },
    },
  },
  '/hub/api/users/{name}/server/progress': {
    get: {
      summary: 'Server start progress (text/event-stream)',
      scopes: ['read:servers'],
      responses: { '200': 'events', ...ERR },
    },
  },
  '/hub/api/users/{name}/servers/{server_name}': {
    post: {
      summary:
        'Start a named server (spawner.allowNamedServers; an empty server_name, `/servers/`, is the default server)',
      scopes: ['servers'],
      body: 'user_options, as for the default server',
      responses: {
        '201': 'started',
        '202': 'pending',
        '400':
          'Named servers are not enabled. / over named_server_limit_per_user / invalid server_name / already running',
        ...ERR,
      },
    },
    delete: {
      summary: 'Stop a named server; with {"remove": true} also delete it (not the default server)',
      scopes: ['delete:servers'],
      body: '{remove?: boolean}',
      responses: {
        '204': 'stopped',
        '202': 'pending',
        '400': 'Named servers are not enabled. / Cannot delete the default server',
        ...ERR,
        '404': 'no server of that name',
      },
    },
  },
  '/hub/api/users/{name}/servers/{server_name}/progress': {
    get: {
      summary: 'Named server start progress (text/event-stream)',
      scopes: ['read:servers'],
      responses: { '200': 'events', '400': 'not starting', ...ERR, '404': 'no server of that name' },
    },
  },
  '/hub/api/groups': {
    get: {
      summary: 'List groups (offset, limit)',
      scopes: ['list:groups'],
      responses: { '200': 'list of group', ...ERR },
    },
    post: {
      summary: 'Create several groups',
      scopes: ['admin:groups'],
      body: '{groups: [string], users?: [string]}',
      responses: { '201': 'created groups', '409': 'exists', ...ERR },
    },
  },
  '/hub/api/groups/{name}': {
    get: {
      summary: 'One group',
      scopes: ['read:groups'],
      responses: { '200': 'group: {kind, name, users, roles, properties}', ...ERR },
    },
    post: {
      summary: 'Create a group',
      scopes: ['admin:groups'],
      body: '{users?: [string]}',
      responses: { '201': 'group', '409': 'exists', ...ERR },
    },
    delete: { summary: 'Delete a group', scopes: ['admin:groups'], responses: { '204': 'deleted', ...ERR } },
  },
  '/hub/api/groups/{name}/users': {
    post: {
      summary: 'Add members',
      scopes: ['groups'],
      body: '{users: [string]}',
      responses: { '200': 'group', ...ERR },
    },
    delete: {
      summary: 'Remove members',
      scopes: ['groups'],
      body: '{users: [string]}',
      responses: { '200': 'group', ...ERR },
    },
  },
  // Courses and the exchange (./courses.ts, ./course-work-routes.ts).
  ...COURSE_OPERATIONS,
  // JupyterHub's services (./services.ts) and the hub as an OAuth2 provider (src/web/oauth/).
  '/hub/api/services': {
    get: {
      summary: 'List services (fields by read:services / read:services:name)',
      scopes: ['list:services'],
      responses: { '200': `list of ${SERVICE}`, ...ERR },
    },
  },
  '/hub/api/services/{name}': {
    get: {
      summary: 'One service',
      scopes: ['read:services'],
      responses: { '200': SERVICE, ...ERR },
    },
  },
  '/hub/api/oauth2/authorize': {
    get: {
      summary:
        'OAuth2 authorize (client_id, response_type=code, redirect_uri exactly the client’s, state, scope, code_challenge[_method]): a browser page; the consent page, or a redirect with code and state',
      responses: {
        '200': 'consent page (HTML)',
        '302': 'to redirect_uri with code and state (or error), or to the login page',
        '400': 'unknown client or redirect_uri not the client’s (HTML, no redirect)',
        '403': 'no access to the client (HTML)',
      },
    },
    post: {
      summary: 'Approve the consent form (the session’s _xsrf required; scopes = the ticked ones)',
      body: 'form: _xsrf, scopes*',
      responses: { '302': 'to redirect_uri with code and state', '403': 'no login or no _xsrf' },
    },
  },
  '/hub/api/oauth2/token': {
    post: {
      summary:
        'OAuth2 token (grant_type=authorization_code, code, redirect_uri, code_verifier with PKCE; client_id + client_secret in the form or HTTP Basic)',
      body: 'form: grant_type, code, redirect_uri, client_id, client_secret, code_verifier?',
      responses: {
        '200': '{access_token, token_type: Bearer, expires_in, scope}',
        '400': '{error: invalid_grant | invalid_request | unsupported_grant_type, error_description}',
        '401': '{error: invalid_client, error_description}',
      },
    },
  },
  '/hub/api/proxy': {
    get: {
      summary: 'The routing table',
      scopes: ['proxy'],
      responses: { '200': 'routes', '503': 'the proxy cannot be reached', ...ERR },
    },
    post: {
      summary:
        "Re-sync the proxy's routes now: add the running servers' missing routes, delete user routes of servers that do not run",
      scopes: ['proxy'],
      responses: {
        '200': '{added: [routespec], removed: [routespec]}',
        '503': 'the proxy cannot be reached',
        ...ERR,
      },
    },
    patch: {
      summary:
        "Tell the hub the proxy's new API URL and/or auth token (kept until the hub restarts), then re-sync; on failure the previous settings stay",
      scopes: ['proxy'],
      body: '{api_url?: string, auth_token?: string}',
      responses: {
        '200': '{added: [routespec], removed: [routespec]}',
        '400': 'invalid api_url or auth_token',
        '503': 'the new proxy cannot be reached or refused the token',
        ...ERR,
      },
    },
  },
  '/hub/api/proxy/authorize': {
    get: {
      summary:
        'For the proxy: may this credential reach this server? (?owner=NAME&server=SERVER; proxy secret)',
      responses: { '200': 'answer', '403': 'refused' },
    },
  },
  '/hub/api/proxy/unreachable': {
    post: {
      summary:
        "For the proxy: a user's server (?owner=NAME&server=SERVER) did not answer; the hub checks it at once (proxy secret)",
      responses: {
        '200': '{state: running|stopped|pending, outOfMemory?: true}',
        '400': 'no owner',
        '403': 'refused',
      },
    },
  },
};

const ERROR_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'integer' }, message: { type: 'string' } },
  required: ['status', 'message'],
};

/** The document; its paths are relative to the server URL, which is hub.baseUrl. */
export function openApiDocument(version: string, urls: HubUrls): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(OPERATIONS)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const parameters = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      paths[path]![method] = {
        summary: op.summary,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(op.scopes ? { security: [{ token: op.scopes }], 'x-scopes': op.scopes } : {}),
        ...(op.body
          ? {
              requestBody: {
                description: op.body,
                content: { 'application/json': { schema: { type: 'object' } } },
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([code, description]) => [
            code,
            Number(code) >= 400
              ? {
                  description,
                  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
                }
              : { description },
          ]),
        ),
      };
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'coursehub REST API (JupyterHub-compatible)',
      version,
      description:
        'Authenticate with "Authorization: token TOKEN" (or bearer), or a hub session cookie plus the session\'s CSRF token (the _xsrf cookie\'s value) in X-XSRFToken, X-CSRFToken, X-XSRF-Token or the _xsrf field. A missing or invalid credential gets 403, as in JupyterHub.',
    },
    servers: [{ url: urls.base === '/' ? '/' : urls.base.replace(/\/$/, '') }],
    components: {
      securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'Authorization' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
