/**
 * /hub/api/users: list, create (one or many), read, change, delete users, as JupyterHub's API.
 */
import type { FastifyInstance } from 'fastify';
import { filteredNames, hasScope } from '../scopes.js';
import type { ListUsersQuery } from '../../db/stores/users.js';
import type { HubUser } from '../users/user-service.js';
import { parseUsername, usernameProblem, normalizeUsername } from '../users/username.js';
import { ApiError } from './api-error.js';
import { requireIdentity, requireScope } from './authorize.js';
import { objectBody, optionalBoolean, optionalString, stringList } from './body.js';
import type { ApiDeps } from './deps.js';
import { paginated, pageRequest } from './pagination.js';
import { userModel, type ServerFields } from './user-model.js';

type NameParams = { Params: { name: string } };

/**
 * JupyterHub's `?state=` filter of GET /users: `active` (a server running or changing state),
 * `ready` (a server running and ready), `inactive` (no server).
 */
function serverStateFilter(value: unknown): ((fields: ServerFields) => boolean) | undefined {
  if (value === undefined || value === '') return undefined;
  const servers = (f: ServerFields) => Object.values(f.servers).filter((s) => !s.stopped);
  switch (value) {
    case 'active':
      return (f) => f.server !== null || f.pending !== null || servers(f).length > 0;
    case 'ready':
      return (f) => f.server !== null || servers(f).some((s) => s.ready);
    case 'inactive':
      return (f) => f.server === null && f.pending === null && servers(f).length === 0;
    default:
      throw new ApiError(400, `Unrecognized state filter "${String(value)}": use active, ready or inactive.`);
  }
}

/**
 * JupyterHub 5's `?sort=` of GET /users: `id`, `name` or `last_activity`, descending with a `-`
 * prefix. Users never active come first in ascending order and last in descending, as there.
 */
function userSort(value: unknown): Pick<ListUsersQuery, 'sort' | 'order' | 'neverActive'> {
  if (value === undefined || value === '') return { sort: 'name', order: 'asc' };
  const text = String(value);
  const order = text.startsWith('-') ? 'desc' : 'asc';
  const key = order === 'desc' ? text.slice(1) : text;
  if (key !== 'id' && key !== 'name' && key !== 'last_activity')
    throw new ApiError(400, `sort must be 'id', 'name', or 'last_activity', not '${text}'.`);
  return { sort: key, order, neverActive: order === 'asc' ? 'first' : 'last' };
}

/** JupyterHub's boolean query flags: present and not "0" or "false" (any case) means yes. */
function queryFlag(value: unknown): boolean {
  if (value === undefined) return false;
  return !['0', 'false'].includes(String(value).toLowerCase());
}

export function registerUserRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { users, serverFields } = deps;

  /** The user the route is about: name validated (400), permission checked (403), then 404. */
  async function targetUser(rawName: string, request: Parameters<typeof requireScope>[0], scopes: string[]) {
    const name = parseUsername(rawName);
    const user = await users.get(name);
    requireScope(request, scopes, { user: name, userGroups: user?.groups ?? [] });
    if (!user) throw new ApiError(404, `No such user: ${name}.`);
    return user;
  }

  api.get('/users', async (request) => {
    const identity = requireIdentity(request);
    const page = pageRequest(request);
    const query = request.query as Record<string, unknown>;
    const nameFilter = typeof query.name_filter === 'string' ? query.name_filter : undefined;
    const state = serverStateFilter(query.state);
    const sort = userSort(query.sort);
    const modelOptions = { includeStoppedServers: queryFlag(query.include_stopped_servers) };
    const unfiltered = hasScope(identity.scopes, 'list:users');
    let list: HubUser[];
    let total: number;
    if (unfiltered && !state) {
      ({ users: list, total } = await users.list({
        offset: page.offset,
        limit: page.limit,
        nameContains: nameFilter,
        ...sort,
      }));
    } else {
      // Only some users are listable (e.g. `list:users!user=x` or `!group=g`), or only those in a
      // server state: filter the full list, then cut the page.
      const allowed = new Set(filteredNames(identity.scopes, 'list:users', 'user'));
      const groups = new Set(filteredNames(identity.scopes, 'list:users', 'group'));
      if (!unfiltered && allowed.size === 0 && groups.size === 0) requireScope(request, 'list:users');
      let all = (await users.list({ nameContains: nameFilter, ...sort })).users.filter(
        (u) => unfiltered || allowed.has(u.name) || u.groups.some((g) => groups.has(g)),
      );
      if (state) {
        const keep = await Promise.all(all.map(async (u) => state(await serverFields(u))));
        all = all.filter((_u, i) => keep[i]);
      }
      total = all.length;
      list = all.slice(page.offset, page.offset + page.limit);
    }
    const models = await Promise.all(
      list.map((u) => userModel(serverFields, u, identity.scopes, modelOptions)),
    );
    return paginated(request, page, models, total);
  });

  api.post('/users', async (request, reply) => {
    const identity = requireScope(request, 'admin:users');
    const body = objectBody(request.body);
    const names = stringList(body.usernames, 'usernames').map(normalizeUsername);
    const admin = optionalBoolean(body.admin, 'admin') ?? false;
    if (names.length === 0) throw new ApiError(400, 'Give at least one name in "usernames".');
    const invalid = names.filter((n) => usernameProblem(n) !== undefined);
    if (invalid.length > 0)
      throw new ApiError(400, `Invalid usernames: ${invalid.map((n) => JSON.stringify(n)).join(', ')}.`, {
        hint: `Reason: ${usernameProblem(invalid[0]!)}.`,
      });
    const unique = [...new Set(names)];
    const fresh: string[] = [];
    for (const name of unique) if (!(await users.get(name))) fresh.push(name);
    if (fresh.length === 0) throw new ApiError(409, `All ${unique.length} users already exist.`);
    // All or none: a name refused half-way (a system account, say) must not leave the rest made.
    const created = await users.inTransaction(async (inTrx) => {
      const made = [];
      for (const name of fresh) made.push(await inTrx.create({ name, admin }));
      return made;
    });
    request.log.info({ by: identity.user.name, users: fresh, admin }, 'created users');
    const models = await Promise.all(created.map((u) => userModel(serverFields, u, identity.scopes)));
    return reply.code(201).send(models);
  });

  // Any scope that shows a field of the user lets the caller read the user (JupyterHub 5).
  api.get<NameParams>('/users/:name', async (request) => {
    const user = await targetUser(request.params.name, request, [
      'read:users',
      'read:users:name',
      'read:servers',
      'read:users:groups',
      'read:users:activity',
      'read:roles:users',
    ]);
    const query = request.query as Record<string, unknown>;
    return userModel(serverFields, user, request.identity!.scopes, {
      includeStoppedServers: queryFlag(query.include_stopped_servers),
    });
  });

  api.post<NameParams>('/users/:name', async (request, reply) => {
    const name = parseUsername(request.params.name);
    const identity = requireScope(request, 'admin:users', { user: name });
    const body = objectBody(request.body, true);
    const admin = optionalBoolean(body.admin, 'admin') ?? false;
    if (await users.get(name)) throw new ApiError(409, `User ${name} already exists.`);
    const user = await users.create({ name, admin });
    request.log.info({ by: identity.user.name, user: name, admin }, 'created user');
    return reply.code(201).send(await userModel(serverFields, user, identity.scopes));
  });

  api.patch<NameParams>('/users/:name', async (request) => {
    const user = await targetUser(request.params.name, request, ['admin:users']);
    const body = objectBody(request.body);
    const newName = optionalString(body.name, 'name');
    const admin = optionalBoolean(body.admin, 'admin');
    const unknown = Object.keys(body).filter((k) => !['name', 'admin', '_xsrf'].includes(k));
    if (unknown.length > 0)
      throw new ApiError(400, `Cannot change ${unknown.join(', ')}: only "name" and "admin" can be changed.`);
    if (newName !== undefined && parseUsername(newName) !== user.name && (await users.get(newName)))
      throw new ApiError(400, `User ${parseUsername(newName)} already exists, username must be unique.`);
    const updated = await users.update(user.name, { name: newName, admin });
    request.log.info(
      { by: request.identity!.user.name, user: user.name, name: newName, admin },
      'changed user',
    );
    return userModel(serverFields, updated, request.identity!.scopes);
  });

  api.delete<NameParams>('/users/:name', async (request, reply) => {
    const user = await targetUser(request.params.name, request, ['admin:users']);
    if (user.name === request.identity!.user.name)
      throw new ApiError(400, 'Cannot delete yourself!', {
        hint: 'Ask another admin to delete your account.',
      });
    await deps.userRemoval.remove(user.name);
    request.log.info({ by: request.identity!.user.name, user: user.name }, 'deleted user');
    return reply.code(204).send();
  });
}
