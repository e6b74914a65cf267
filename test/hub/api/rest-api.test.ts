// The REST API's behaviour, JupyterHub's shapes and status codes, on SQLite and PostgreSQL.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFields } from '../../../src/hub/api/index.js';
import { createTestDatabase } from '../../support/postgres.js';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

const backends = [
  ['sqlite', async () => ':memory:'],
  ['postgres', async () => createTestDatabase()],
] as const;

describe.each(backends)('REST API on %s', (_name, makeUrl) => {
  let hub: ApiTestHub;
  let admin: Record<string, string>;
  let student: Record<string, string>;

  beforeAll(async () => {
    hub = await startApiTestHub(await makeUrl());
    await hub.users.create({ name: 'boss', admin: true });
    await hub.users.create({ name: 'alice' });
    await hub.users.create({ name: 'bob' });
    admin = await hub.tokenHeaders('boss');
    student = await hub.tokenHeaders('alice');
  });
  afterAll(async () => hub?.close());

  const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    hub.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('GET /hub/api answers the version without credentials', async () => {
    const res = await call('GET', '/hub/api');
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('GET /hub/api/user says who the caller is, with scopes', async () => {
    const res = await call('GET', '/hub/api/user', student);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      kind: 'user',
      name: 'alice',
      admin: false,
      roles: ['user'],
      groups: [],
      server: null,
      pending: null,
    });
    expect(body.scopes).toContain('read:users!user=alice');
    expect(body.scopes).not.toContain('list:users');
    const mine = await call('GET', '/hub/api/user', await hub.sessionHeaders('boss'));
    expect(mine.json()).toMatchObject({ name: 'boss', admin: true, token_id: null });
    expect(mine.json().scopes).toContain('admin:users');
  });

  it('lists users, plain and with the pagination envelope', async () => {
    const plain = await call('GET', '/hub/api/users', admin);
    expect(plain.statusCode).toBe(200);
    expect(plain.json().map((u: { name: string }) => u.name)).toEqual(['alice', 'bob', 'boss']);
    const first = await call('GET', '/hub/api/users?limit=2', {
      ...admin,
      accept: 'application/jupyterhub-pagination+json',
    });
    const page = first.json();
    expect(page.items.map((u: { name: string }) => u.name)).toEqual(['alice', 'bob']);
    expect(page._pagination).toMatchObject({ offset: 0, limit: 2, total: 3, next: { offset: 2, limit: 2 } });
    expect(new URL(page._pagination.next.url).search).toContain('offset=2');
    const last = await call('GET', '/hub/api/users?offset=2&limit=2', {
      ...admin,
      accept: 'application/jupyterhub-pagination+json',
    });
    expect(last.json()).toMatchObject({
      items: [{ name: 'boss' }],
      _pagination: { offset: 2, limit: 2, total: 3, next: null },
    });
    const bad = await call('GET', '/hub/api/users?offset=x', admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      status: 400,
      message: expect.stringContaining('offset must be a whole number from 0 to 2147483647 (got "x")'),
    });
  });

  it('filters users by server state from the server fields, and shows servers to admins', async () => {
    // The spawner area fills these fields in the running hub; here alice's server is ready and
    // bob's is starting.
    hub.setServerFields(async (user): Promise<ServerFields> => {
      const model = (ready: boolean) => ({
        name: '',
        full_name: `${user.name}/`,
        ready,
        pending: ready ? null : 'spawn',
        stopped: false,
        url: `/user/${user.name}/`,
        progress_url: `/hub/api/users/${user.name}/server/progress`,
        full_url: null,
        full_progress_url: null,
        started: '2026-01-01T00:00:00.000Z',
        last_activity: null,
        state: {},
        user_options: {},
      });
      if (user.name === 'alice')
        return { server: '/user/alice/', pending: null, servers: { '': model(true) } };
      if (user.name === 'bob') return { server: null, pending: 'spawn', servers: { '': model(false) } };
      return { server: null, pending: null, servers: {} };
    });
    try {
      const names = async (state: string) =>
        (await call('GET', `/hub/api/users?state=${state}`, admin))
          .json()
          .map((u: { name: string }) => u.name);
      expect(await names('ready')).toEqual(['alice']);
      expect(await names('active')).toEqual(['alice', 'bob']);
      expect(await names('inactive')).toEqual(['boss']);
      expect((await call('GET', '/hub/api/users?state=sleepy', admin)).statusCode).toBe(400);
      const alice = (await call('GET', '/hub/api/users/alice', admin)).json();
      expect(alice).toMatchObject({
        server: '/user/alice/',
        pending: null,
        servers: { '': { ready: true } },
      });
      const self = (await call('GET', '/hub/api/users/bob', await hub.tokenHeaders('bob'))).json();
      expect(self).toMatchObject({ pending: 'spawn', servers: { '': { ready: false } } });
    } finally {
      hub.setServerFields(async () => ({ server: null, pending: null, servers: {} }));
    }
  });

  it('creates, reads, changes and deletes a user', async () => {
    const created = await call('POST', '/hub/api/users/carol', admin, { admin: false });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'user', name: 'carol', admin: false });
    expect((await call('POST', '/hub/api/users/carol', admin, {})).statusCode).toBe(409);
    const patched = await call('PATCH', '/hub/api/users/carol', admin, { admin: true });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().admin).toBe(true);
    const renamed = await call('PATCH', '/hub/api/users/carol', admin, { name: 'carla' });
    expect(renamed.json().name).toBe('carla');
    expect((await call('PATCH', '/hub/api/users/carla', admin, { name: 'bob' })).statusCode).toBe(400);
    expect((await call('GET', '/hub/api/users/carol', admin)).statusCode).toBe(404);
    expect((await call('DELETE', '/hub/api/users/carla', admin)).statusCode).toBe(204);
    const gone = await call('GET', '/hub/api/users/carla', admin);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({ status: 404, message: 'No such user: carla.' });
  });

  it('creates several users at once, refusing bad names and all-existing lists', async () => {
    const res = await call('POST', '/hub/api/users', admin, {
      usernames: ['dan', 'Eve', 'alice'],
      admin: false,
    });
    expect(res.statusCode).toBe(201);
    expect(
      res
        .json()
        .map((u: { name: string }) => u.name)
        .sort(),
    ).toEqual(['dan', 'eve']);
    const again = await call('POST', '/hub/api/users', admin, { usernames: ['dan'] });
    expect(again.statusCode).toBe(409);
    const bad = await call('POST', '/hub/api/users', admin, { usernames: ['ok1', '../etc', 'a b'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('Invalid usernames');
    expect((await call('GET', '/hub/api/users/ok1', admin)).statusCode).toBe(404); // nothing applied
  });

  it('refuses bad usernames in the path with a clear 400', async () => {
    for (const raw of ['..%2F..%2Fetc', 'a%20b', 'x..y']) {
      const res = await call('GET', `/hub/api/users/${raw}`, admin);
      expect(res.statusCode, raw).toBe(400);
      expect(res.json().message).toMatch(/Invalid username/);
    }
  });

  it('refuses a 10 MB body with 413 and a clear message', async () => {
    const big = JSON.stringify({ usernames: ['x'.repeat(10 * 1024 * 1024)] });
    const res = await hub.app.inject({
      method: 'POST',
      url: '/hub/api/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: big,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ status: 413, message: expect.stringContaining('too large') });
  });

  it('answers unknown routes and malformed JSON in JupyterHub form', async () => {
    const missing = await call('GET', '/hub/api/nope', admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().status).toBe(404);
    const broken = await hub.app.inject({
      method: 'POST',
      url: '/hub/api/users',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"usernames": [',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toMatch(/not valid JSON/);
  });

  it('cannot delete yourself', async () => {
    const res = await call('DELETE', '/hub/api/users/boss', admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('Cannot delete yourself');
  });

  it('tokens: created once with the secret, listed without it, revoked', async () => {
    const created = await call('POST', '/hub/api/users/alice/tokens', student, {
      note: 'ci',
      expires_in: 3600,
      scopes: ['read:users!user=alice'],
    });
    expect(created.statusCode).toBe(201);
    const model = created.json();
    expect(model).toMatchObject({
      kind: 'api_token',
      user: 'alice',
      note: 'ci',
      scopes: ['read:users!user=alice'],
    });
    expect(model.id).toMatch(/^a\d+$/);
    expect(typeof model.token).toBe('string');
    expect(new Date(model.expires_at).getTime() - Date.now()).toBeGreaterThan(3500_000);
    const listed = await call('GET', '/hub/api/users/alice/tokens', student);
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.json())).not.toContain(model.token);
    expect(listed.json().api_tokens.map((t: { id: string }) => t.id)).toContain(model.id);
    const withNew = { authorization: `bearer ${model.token}` };
    expect((await call('GET', '/hub/api/users/alice', withNew)).statusCode).toBe(200);
    // its scope is read-only: it cannot make tokens
    expect((await call('POST', '/hub/api/users/alice/tokens', withNew, {})).statusCode).toBe(403);
    expect((await call('GET', `/hub/api/users/alice/tokens/${model.id}`, student)).json().note).toBe('ci');
    expect((await call('DELETE', `/hub/api/users/alice/tokens/${model.id}`, student)).statusCode).toBe(204);
    const after = await call('GET', '/hub/api/users/alice', withNew);
    expect(after.statusCode).toBe(403);
    expect(after.json()).toEqual({
      status: 403,
      message: expect.stringContaining('unknown or has been revoked'),
    });
    expect((await call('GET', `/hub/api/users/alice/tokens/${model.id}`, student)).statusCode).toBe(404);
  });

  it('tokens: a student cannot ask for scopes beyond their own', async () => {
    const res = await call('POST', '/hub/api/users/alice/tokens', student, { scopes: ['admin:users'] });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/Not assigning requested scopes admin:users/);
    const unknown = await call('POST', '/hub/api/users/alice/tokens', student, { scopes: ['root'] });
    expect(unknown.statusCode).toBe(400);
  });

  it('an expired token is refused with 403 (JupyterHub: missing or invalid credentials) and says so', async () => {
    const { token, record } = await hub.tokens.create({ user: 'alice', expiresInSeconds: 60 });
    // A minute from now is a second ago (expiries are whole seconds, as JupyterHub's).
    await hub.handle.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', record.id)
      .execute();
    const res = await call('GET', '/hub/api/user', { authorization: `token ${token}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/expired at/);
  });

  it('a token in ?token= works for GET only', async () => {
    const { token } = await hub.tokens.create({ user: 'boss' });
    expect((await call('GET', `/hub/api/user?token=${token}`)).statusCode).toBe(200);
    expect((await call('POST', `/hub/api/users/zed?token=${token}`, {}, {})).statusCode).toBe(403);
    expect((await call('GET', '/hub/api/users/zed', admin)).statusCode).toBe(404);
  });

  it('groups: create, add and remove members, delete', async () => {
    const created = await call('POST', '/hub/api/groups/ta', admin, { users: ['alice'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      kind: 'group',
      name: 'ta',
      users: ['alice'],
      roles: [],
      properties: {},
    });
    expect((await call('POST', '/hub/api/groups/ta', admin, {})).statusCode).toBe(409);
    const added = await call('POST', '/hub/api/groups/ta/users', admin, { users: ['bob'] });
    expect(added.json().users).toEqual(['alice', 'bob']);
    expect((await call('GET', '/hub/api/users/bob', admin)).json().groups).toEqual(['ta']);
    const removed = await call('DELETE', '/hub/api/groups/ta/users', admin, { users: ['alice'] });
    expect(removed.json().users).toEqual(['bob']);
    const list = await call('GET', '/hub/api/groups', {
      ...admin,
      accept: 'application/jupyterhub-pagination+json',
    });
    expect(list.json()).toMatchObject({ items: [{ name: 'ta' }], _pagination: { total: 1, next: null } });
    expect((await call('POST', '/hub/api/groups/ta/users', admin, { users: ['ghost'] })).statusCode).toBe(
      404,
    );
    expect((await call('DELETE', '/hub/api/groups/ta', admin)).statusCode).toBe(204);
    expect((await call('GET', '/hub/api/groups/ta', admin)).statusCode).toBe(404);
  });

  it('a session needs the CSRF token to change anything', async () => {
    const noCsrf = await call('POST', '/hub/api/users/frank', await hub.sessionHeaders('boss', false), {});
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().message).toMatch(/CSRF/);
    const withCsrf = await call('POST', '/hub/api/users/frank', await hub.sessionHeaders('boss'), {});
    expect(withCsrf.statusCode).toBe(201);
  });

  it('deleting a user ends their sessions and tokens', async () => {
    await hub.users.create({ name: 'gone' });
    const session = await hub.sessionHeaders('gone');
    const token = await hub.tokenHeaders('gone');
    expect((await call('GET', '/hub/api/user', session)).statusCode).toBe(200);
    expect((await call('DELETE', '/hub/api/users/gone', admin)).statusCode).toBe(204);
    expect((await call('GET', '/hub/api/user', session)).statusCode).toBe(403);
    expect((await call('GET', '/hub/api/user', token)).statusCode).toBe(403);
  });
});

describe('tokens in URLs', () => {
  it('are accepted on GET /hub/api/ only, and never written to the request log', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const hub = await startApiTestHub(':memory:', log);
    try {
      await hub.users.create({ name: 'boss', admin: true });
      const { token } = await hub.tokens.create({ user: 'boss' });
      const ok = await hub.app.inject({ method: 'GET', url: `/hub/api/user?token=${token}&x=1` });
      expect(ok.statusCode).toBe(200);
      // outside /hub/api/ a token in the URL is not looked at: anonymous
      expect((await hub.app.inject({ method: 'GET', url: `/hub/metrics?token=${token}` })).statusCode).toBe(
        403,
      );
      // (the /hub/metrics line above does show it: only API routes scrub, so only they accept it)
      const logged = lines.filter((l) => !l.includes('/hub/metrics')).join('');
      expect(logged).toContain('/hub/api/user?token=[secret]&x=1');
      expect(logged).not.toContain(token);
    } finally {
      await hub.close();
    }
  });
});
