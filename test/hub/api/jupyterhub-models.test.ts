// The user and server models of GET /hub/api/users and /users/{name}, cut by scope as
// JupyterHub 5 does, and GET /users' sort and include_stopped_servers. The field sets below are
// JupyterHub 5.4's (apihandlers/base.py's access map, docs/source/_static/rest-api.yml's User and
// Server schemas); each is checked exactly, so a field that leaks or goes missing fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFields, ServerModel } from '../../../src/hub/api/index.js';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

let hub: ApiTestHub;

/** A server model as the spawner area fills it in (rows of running and, maybe, stopped servers). */
function server(user: string, name: string, phase: 'ready' | 'stopped'): ServerModel {
  const url = `/user/${user}/${name ? `${name}/` : ''}`;
  return {
    name,
    full_name: `${user}/${name}`,
    ready: phase === 'ready',
    pending: null,
    stopped: phase === 'stopped',
    url,
    progress_url: `/hub/api/users/${user}/server/progress`,
    full_url: `https://hub.example.org${url}`,
    full_progress_url: `https://hub.example.org/hub/api/users/${user}/server/progress`,
    started: '2026-01-01T00:00:00.000Z',
    last_activity: '2026-01-02T00:00:00.000Z',
    state: { pid: 42, token: 'the-servers-own-secret' },
    user_options: {},
  };
}

beforeAll(async () => {
  hub = await startApiTestHub();
  // Created in this order, so that id order (boss, carol, alice) differs from name order.
  await hub.users.create({ name: 'boss', admin: true });
  await hub.users.create({ name: 'carol' });
  await hub.users.create({ name: 'alice' });
  await hub.users.createGroup('ta', ['carol']);
  await hub.users.touch('alice', '2026-03-01T00:00:00.000Z');
  await hub.users.touch('boss', '2026-02-01T00:00:00.000Z');
  hub.setServerFields(async (user): Promise<ServerFields> => {
    if (user.name === 'alice')
      return { server: '/user/alice/', pending: null, servers: { '': server('alice', '', 'ready') } };
    if (user.name === 'carol')
      return { server: null, pending: null, servers: { old: server('carol', 'old', 'stopped') } };
    return { server: null, pending: null, servers: {} };
  });
});
afterAll(async () => hub?.close());

async function get(url: string, scopes?: string[], owner = 'boss') {
  const headers = await hub.tokenHeaders(owner, scopes);
  return hub.app.inject({ method: 'GET', url, headers });
}

const keys = (o: object) => Object.keys(o).sort();
const SERVER_KEYS_WITHOUT_STATE = [
  'full_name',
  'full_progress_url',
  'full_url',
  'last_activity',
  'name',
  'pending',
  'progress_url',
  'ready',
  'started',
  'stopped',
  'url',
  'user_options',
];

describe('user model fields by scope (JupyterHub 5)', () => {
  it("the idle culler's least-privilege token sees name, activity and servers, not more", async () => {
    const res = await get('/hub/api/users', [
      'list:users',
      'read:users:activity',
      'read:servers',
      'delete:servers',
    ]);
    expect(res.statusCode).toBe(200);
    const alice = res.json().find((u: { name: string }) => u.name === 'alice');
    // list:users -> read:users:name (kind, name, admin); read:users:activity; read:servers.
    expect(keys(alice)).toEqual(['admin', 'kind', 'last_activity', 'name', 'servers']);
    expect(alice.last_activity).toBe('2026-03-01T00:00:00.000Z');
    expect(keys(alice.servers[''])).toEqual(SERVER_KEYS_WITHOUT_STATE);
    expect(alice.servers['']).toMatchObject({
      ready: true,
      stopped: false,
      pending: null,
      url: '/user/alice/',
    });
    // Present and empty for a user with no running server, when the caller may read servers.
    const boss = res.json().find((u: { name: string }) => u.name === 'boss');
    expect(boss.servers).toEqual({});
  });

  it.each([
    [['read:users:name'], ['admin', 'kind', 'name']],
    [['read:users:groups'], ['groups', 'kind', 'name']],
    [['read:users:activity'], ['kind', 'last_activity', 'name']],
    [['read:roles:users'], ['admin', 'kind', 'name', 'roles']],
    [['read:servers'], ['admin', 'kind', 'name', 'servers']],
    [
      ['read:users'],
      ['admin', 'created', 'groups', 'kind', 'last_activity', 'name', 'pending', 'roles', 'server'],
    ],
  ])('%j alone shows exactly %j of a user', async (scopes, expected) => {
    const res = await get('/hub/api/users/carol', scopes);
    expect(res.statusCode).toBe(200);
    expect(keys(res.json())).toEqual(expected);
  });

  it('field types follow rest-api.yml (strings, booleans, arrays, null when not running)', async () => {
    const carol = (await get('/hub/api/users/carol', ['read:users'])).json();
    expect(carol).toMatchObject({
      kind: 'user',
      name: 'carol',
      admin: false,
      roles: ['user'],
      groups: ['ta'],
    });
    expect(carol.server).toBeNull();
    expect(carol.pending).toBeNull();
    expect(typeof carol.created).toBe('string');
    expect(carol.last_activity).toBeNull();
    const alice = (await get('/hub/api/users/alice', ['read:users'])).json();
    expect(alice.server).toBe('/user/alice/');
  });

  it('a filtered scope counts only for its user or group', async () => {
    const other = await get('/hub/api/users/alice', ['read:users:groups!group=ta']);
    expect(other.statusCode).toBe(403);
    const member = await get('/hub/api/users/carol', [
      'read:users:groups!group=ta',
      'read:users:activity!user=alice',
    ]);
    expect(keys(member.json())).toEqual(['groups', 'kind', 'name']);
    // read:servers on one server of a user shows that server only.
    const one = await get('/hub/api/users/alice', ['read:users:name', 'read:servers!server=alice/']);
    expect(keys(one.json().servers)).toEqual(['']);
  });

  it("state is shown only with admin:server_state, and never the server's own token", async () => {
    const admin = (await get('/hub/api/users/alice')).json();
    expect(admin.servers[''].state).toEqual({ pid: 42 });
    expect(admin.auth_state).toBeNull();
    const servers = (await get('/hub/api/users/alice', ['admin:servers'])).json();
    expect(servers.servers[''].state).toEqual({ pid: 42 });
    const reader = (await get('/hub/api/users/alice', ['read:servers'])).json();
    expect('state' in reader.servers['']).toBe(false);
    expect(JSON.stringify(reader)).not.toContain('the-servers-own-secret');
  });

  it('GET /user (whoami) identifies the owner whatever the scopes', async () => {
    const res = await get('/hub/api/user', ['read:users:activity!user=boss']);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // JupyterHub 5's SelfAPIHandler adds token_id and session_id (null: not an OAuth token).
    expect(keys(body)).toEqual([
      'admin',
      'groups',
      'kind',
      'last_activity',
      'name',
      'scopes',
      'session_id',
      'token_id',
    ]);
    expect(body).toMatchObject({ kind: 'user', name: 'boss', admin: true, groups: [], session_id: null });
    // The identify scopes are not the token's: only its own (expanded) scopes are listed.
    expect(body.scopes).toEqual(['read:users:activity!user=boss']);
  });
});

describe('GET /users sort and include_stopped_servers', () => {
  const names = async (query: string) =>
    (await get(`/hub/api/users?${query}`)).json().map((u: { name: string }) => u.name);

  it('sorts by id, name and last_activity, descending with "-"', async () => {
    expect(await names('sort=id')).toEqual(['boss', 'carol', 'alice']);
    expect(await names('sort=-id')).toEqual(['alice', 'carol', 'boss']);
    expect(await names('sort=name')).toEqual(['alice', 'boss', 'carol']);
    expect(await names('sort=-name')).toEqual(['carol', 'boss', 'alice']);
    // Never active (null: carol) first ascending, last descending (JupyterHub makes NULL
    // explicit); boss's own token use counts as activity now, after alice's.
    expect(await names('sort=last_activity')).toEqual(['carol', 'alice', 'boss']);
    expect(await names('sort=-last_activity')).toEqual(['boss', 'alice', 'carol']);
    expect(await names('sort=-last_activity&offset=1&limit=1')).toEqual(['alice']);
  });

  it('refuses another sort key with 400', async () => {
    const res = await get('/hub/api/users?sort=created');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      status: 400,
      message: expect.stringContaining("sort must be 'id', 'name', or 'last_activity'"),
    });
  });

  it('lists stopped servers only with include_stopped_servers', async () => {
    const carol = (q: string) => get(`/hub/api/users/carol${q}`).then((r) => r.json());
    expect((await carol('')).servers).toEqual({});
    expect((await carol('?include_stopped_servers=0')).servers).toEqual({});
    expect((await carol('?include_stopped_servers=false')).servers).toEqual({});
    const shown = (await carol('?include_stopped_servers')).servers;
    expect(shown.old).toMatchObject({ name: 'old', stopped: true, ready: false, pending: null });
    const listed = (await get('/hub/api/users?include_stopped_servers=1')).json();
    expect(listed.find((u: { name: string }) => u.name === 'carol').servers.old.stopped).toBe(true);
    // A stopped server does not make its user active.
    expect(await names('state=active')).toEqual(['alice']);
  });
});

describe('group model fields by scope (JupyterHub 5)', () => {
  it.each([
    [['list:groups'], ['kind', 'name']],
    [['read:groups'], ['kind', 'name', 'properties', 'users']],
    [
      ['read:groups:name', 'read:roles:groups'],
      ['kind', 'name', 'roles'],
    ],
    [['admin:groups'], ['kind', 'name', 'properties', 'roles', 'users']],
  ])('%j shows exactly %j of a group', async (scopes, expected) => {
    const url = scopes.includes('list:groups') ? '/hub/api/groups' : '/hub/api/groups/ta';
    const res = await get(url, scopes);
    expect(res.statusCode).toBe(200);
    const group = Array.isArray(res.json()) ? res.json()[0] : res.json();
    expect(keys(group)).toEqual(expected);
  });
});
