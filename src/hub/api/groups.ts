/**
 * /hub/api/groups: list, create, read and delete groups and change their members, as
 * JupyterHub's API.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { filteredNames, hasScope } from '../scopes.js';
import type { HubGroup } from '../users/user-service.js';
import { parseGroupName } from '../users/username.js';
import { ApiError } from './api-error.js';
import { requireIdentity, requireScope } from './authorize.js';
import { objectBody, stringList } from './body.js';
import type { ApiDeps } from './deps.js';
import { paginated, pageRequest } from './pagination.js';

type NameParams = { Params: { name: string } };

/**
 * JupyterHub 5's group model, cut by scope as there: `read:groups:name` shows kind and name,
 * `read:groups` adds members and properties, `read:roles:groups` the roles.
 */
export function groupModel(group: HubGroup, scopes: Set<string>): Record<string, unknown> {
  const model: Record<string, unknown> = { kind: 'group', name: group.name };
  const target = { group: group.name };
  if (hasScope(scopes, 'read:groups', target)) Object.assign(model, { users: group.users, properties: {} });
  if (hasScope(scopes, 'read:roles:groups', target)) model.roles = [];
  return model;
}

export function registerGroupRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const { users } = deps;

  async function targetGroup(request: FastifyRequest, rawName: string, scopes: string[]) {
    const name = parseGroupName(rawName);
    requireScope(request, scopes, { group: name });
    const group = await users.getGroup(name);
    if (!group) throw new ApiError(404, `No such group: ${name}.`);
    return group;
  }

  api.get('/groups', async (request) => {
    const identity = requireIdentity(request);
    const page = pageRequest(request);
    if (hasScope(identity.scopes, 'list:groups')) {
      const { groups, total } = await users.listGroups({ offset: page.offset, limit: page.limit });
      return paginated(
        request,
        page,
        groups.map((g) => groupModel(g, identity.scopes)),
        total,
      );
    }
    const allowed = new Set(filteredNames(identity.scopes, 'list:groups', 'group'));
    if (allowed.size === 0) requireScope(request, 'list:groups');
    const all = (await users.listGroups()).groups.filter((g) => allowed.has(g.name));
    const items = all.slice(page.offset, page.offset + page.limit).map((g) => groupModel(g, identity.scopes));
    return paginated(request, page, items, all.length);
  });

  api.post('/groups', async (request, reply) => {
    const identity = requireScope(request, 'admin:groups');
    const body = objectBody(request.body);
    const names = stringList(body.groups, 'groups').map(parseGroupName);
    const members = stringList(body.users, 'users', true);
    if (names.length === 0) throw new ApiError(400, 'Give at least one name in "groups".');
    for (const name of names)
      if (await users.getGroup(name)) throw new ApiError(409, `Group ${name} already exists.`);
    const created = [];
    for (const name of names) created.push(await users.createGroup(name, members));
    return reply.code(201).send(created.map((g) => groupModel(g, identity.scopes)));
  });

  api.get<NameParams>('/groups/:name', async (request) => {
    const group = await targetGroup(request, request.params.name, ['read:groups', 'read:groups:name']);
    return groupModel(group, request.identity!.scopes);
  });

  api.post<NameParams>('/groups/:name', async (request, reply) => {
    const name = parseGroupName(request.params.name);
    const identity = requireScope(request, 'admin:groups', { group: name });
    const body = objectBody(request.body, true);
    const members = stringList(body.users, 'users', true);
    if (await users.getGroup(name)) throw new ApiError(409, `Group ${name} already exists.`);
    const group = await users.createGroup(name, members);
    request.log.info({ by: identity.user.name, group: name }, 'created group');
    return reply.code(201).send(groupModel(group, identity.scopes));
  });

  api.delete<NameParams>('/groups/:name', async (request, reply) => {
    const group = await targetGroup(request, request.params.name, ['admin:groups']);
    await users.deleteGroup(group.name);
    request.log.info({ by: request.identity!.user.name, group: group.name }, 'deleted group');
    return reply.code(204).send();
  });

  api.post<NameParams>('/groups/:name/users', async (request) => {
    const group = await targetGroup(request, request.params.name, ['groups']);
    const members = stringList(objectBody(request.body).users, 'users');
    const updated = await users.addGroupMembers(group.name, members);
    return groupModel(updated, request.identity!.scopes);
  });

  api.delete<NameParams>('/groups/:name/users', async (request) => {
    const group = await targetGroup(request, request.params.name, ['groups']);
    const members = stringList(objectBody(request.body).users, 'users');
    const updated = await users.removeGroupMembers(group.name, members);
    return groupModel(updated, request.identity!.scopes);
  });
}
