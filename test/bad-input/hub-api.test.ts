// Bad input to the hub's REST API (issue 17, items 1 and 3; issue 11, item 8): every answer is a
// 4xx in JupyterHub's JSON error shape whose message names the field and what it may be, never a
// 500, and nothing in the database changes. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startApiTestHub, type ApiTestHub } from '../hub/api/api-app.js';

const backends = [
  ['sqlite', async () => ':memory:'],
  ['postgres', async () => createTestDatabase()],
] as const;

describe.each(backends)('REST API bad input on %s', (_name, makeUrl) => {
  let hub: ApiTestHub;
  let admin: Record<string, string>;

  /** Every row a request could have touched. */
  async function rows() {
    const { db } = hub.handle;
    return {
      users: await db.selectFrom('users').select(['id', 'name', 'admin', 'roster']).orderBy('id').execute(),
      groups: await db.selectFrom('groups').select(['id', 'name']).orderBy('id').execute(),
      members: await db.selectFrom('group_members').selectAll().orderBy(['group_id', 'user_id']).execute(),
      tokens: await db
        .selectFrom('api_tokens')
        .select(['id', 'user_id', 'scopes', 'expires_at'])
        .orderBy('id')
        .execute(),
      servers: await db.selectFrom('servers').selectAll().execute(),
    };
  }

  async function send(method: string, url: string, body?: unknown) {
    return hub.app.inject({
      method: method as 'POST',
      url,
      headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  }

  /** Sends the request and checks: exactly `status`, JupyterHub's error JSON, message, rows unchanged. */
  async function refused(status: number, method: string, url: string, body: unknown, message: RegExp) {
    const before = await rows();
    const response = await send(method, url, body);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json()).toEqual({ status, message: expect.stringMatching(message) });
    expect(await rows()).toEqual(before);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  }

  beforeAll(async () => {
    hub = await startApiTestHub(await makeUrl(), undefined, ['login', 'api', 'servers', 'home']);
    await hub.users.create({ name: 'boss', admin: true });
    await hub.users.create({ name: 'alice' });
    await hub.users.createGroup('class');
    admin = await hub.tokenHeaders('boss');
  });
  afterAll(async () => hub?.close());

  describe('token expiry (expires_in)', () => {
    it.each([1e16, 1e308, 3155760001, -1, 1.5, '3600', true, {}])(
      'expires_in %j is refused, naming the field and its range',
      async (value) => {
        await refused(
          400,
          'POST',
          '/hub/api/users/alice/tokens',
          { expires_in: value },
          /"expires_in" must be null, 0 \(no expiry\) or a whole number of seconds from 1 to 3155760000/,
        );
      },
    );

    it('expires_in 0 and null mean "never expires", as JupyterHub 5 documents ("Omit, or specify null or 0 for no expiration")', async () => {
      for (const value of [0, null]) {
        const response = await send('POST', '/hub/api/users/alice/tokens', { expires_in: value });
        expect(response.statusCode).toBe(201);
        expect(response.json().expires_at).toBeNull();
      }
    });

    it('the longest expiry allowed is accepted', async () => {
      const response = await send('POST', '/hub/api/users/alice/tokens', { expires_in: 3155760000 });
      expect(response.statusCode).toBe(201);
      expect(new Date(response.json().expires_at).getUTCFullYear()).toBeGreaterThan(2100);
    });
  });

  describe('pagination (offset, limit)', () => {
    it.each([
      ['users', 'offset', '99999999999999999999'],
      ['users', 'limit', '99999999999999999999'],
      ['users', 'offset', '2147483648'],
      ['users', 'offset', '-99999999999999999999'],
      ['groups', 'offset', '99999999999999999999'],
      ['groups', 'limit', '99999999999999999999'],
      ['users', 'offset', '1e3'],
    ])('GET /hub/api/%s?%s=%s is refused, naming the parameter and its range', async (list, name, value) => {
      await refused(
        400,
        'GET',
        `/hub/api/${list}?${name}=${value}`,
        undefined,
        new RegExp(`^${name} must be a whole number from 0 to 2147483647 \\(got "${value}"\\)`),
      );
    });

    it('the largest offset is an empty page, not an error', async () => {
      const response = await send('GET', '/hub/api/users?offset=2147483647');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([]);
    });
  });

  it.each(['a99999999999', '99999999999999', 'a2147483648'])(
    'a token id out of range (%s) is "no such token"',
    async (id) => {
      await refused(404, 'GET', `/hub/api/users/alice/tokens/${id}`, undefined, /^No such token: /);
      await refused(404, 'DELETE', `/hub/api/users/alice/tokens/${id}`, undefined, /^No such token: /);
    },
  );

  describe('a URL too long for the router', () => {
    it.each(['users', 'groups'])(
      'GET /hub/api/%s/<300 characters> is a 414 that says the URI is too long',
      async (list) => {
        await refused(414, 'GET', `/hub/api/${list}/${'a'.repeat(300)}`, undefined, /^The URL is too long/);
      },
    );

    it('a URL that does not decode is a 400 that says so', async () => {
      await refused(400, 'GET', '/hub/api/users/%E0%A4%A', undefined, /^The URL is not valid/);
    });

    it('a page outside the API says it too, in plain text', async () => {
      const response = await hub.app.inject({ url: `/hub/spawn-pending/${'a'.repeat(300)}` });
      expect(response.statusCode).toBe(414);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.body).toMatch(/^The URL is too long/);
      expect(response.body).not.toMatch(/Bad Request/);
    });
  });

  describe('__proto__ and constructor are plain keys of a JSON body', () => {
    it('POST /users: an extra __proto__ or constructor sets nothing (admin stays false)', async () => {
      for (const [name, raw] of [
        ['pa', '{"usernames":["pa"],"__proto__":{"admin":true}}'],
        ['pb', '{"usernames":["pb"],"constructor":{"prototype":{"admin":true}}}'],
      ] as const) {
        const response = await send('POST', '/hub/api/users', raw);
        expect(response.statusCode, response.body).toBe(201);
        expect((await hub.users.require(name)).admin).toBe(false);
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('POST /users/NAME: an extra __proto__ sets nothing', async () => {
      const response = await send('POST', '/hub/api/users/pc', '{"__proto__":{"admin":true}}');
      expect(response.statusCode, response.body).toBe(201);
      expect((await hub.users.require('pc')).admin).toBe(false);
    });

    it.each([
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      '{"name":"alice","__proto__":{"name":"root"}}',
    ])('PATCH /users/alice with %s names the key it cannot change', async (raw) => {
      await refused(
        400,
        'PATCH',
        '/hub/api/users/alice',
        raw,
        /^Cannot change (__proto__|constructor): only "name" and "admin" can be changed/,
      );
    });

    it('POST /groups and POST /groups/NAME: an extra __proto__ adds no member', async () => {
      const many = await send(
        'POST',
        '/hub/api/groups',
        '{"groups":["pg1"],"__proto__":{"users":["alice"]}}',
      );
      expect(many.statusCode, many.body).toBe(201);
      const one = await send('POST', '/hub/api/groups/pg2', '{"__proto__":{"users":["alice"]}}');
      expect(one.statusCode, one.body).toBe(201);
      for (const group of ['pg1', 'pg2']) expect((await hub.users.requireGroup(group)).users).toEqual([]);
    });

    it.each(['POST', 'DELETE'])(
      '%s /groups/class/users with users under __proto__ only is refused',
      async (method) => {
        await refused(
          400,
          method,
          '/hub/api/groups/class/users',
          '{"__proto__":{"users":["alice"]}}',
          /^"users" must be a list of strings/,
        );
      },
    );

    it('POST /users/NAME/tokens: scopes and roles under __proto__ give nothing', async () => {
      const response = await send(
        'POST',
        '/hub/api/users/alice/tokens',
        '{"__proto__":{"scopes":["admin:users"]}}',
      );
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().scopes).toEqual(['inherit']);
    });

    it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
      'role %j is an unknown role',
      async (role) => {
        await refused(
          400,
          'POST',
          '/hub/api/users/alice/tokens',
          { roles: [role] },
          new RegExp(`^Unknown role "${role}"; known roles: user, admin, server`),
        );
      },
    );

    it.each(['constructor', '__proto__', 'toString', 'constructor!user=alice'])(
      'scope %j is an unknown scope',
      async (scope) => {
        await refused(
          400,
          'POST',
          '/hub/api/users/alice/tokens',
          { scopes: [scope] },
          new RegExp(`^Unknown scope "${scope.split('!')[0]}"`),
        );
      },
    );

    it.each(['{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '{"profile":"gpu"}'])(
      'POST /users/alice/server with user options %s: the local spawner refuses them by name (400)',
      async (raw) => {
        const key = Object.keys(JSON.parse(raw) as object)[0] ?? '__proto__';
        await refused(
          400,
          'POST',
          '/hub/api/users/alice/server',
          raw,
          new RegExp(
            `^The local spawner takes no user options, but the start request has "${key.replace(/[_]/g, '_')}"`,
          ),
        );
        expect(hub.services.servers.status('alice')).toBeUndefined();
      },
    );

    it.each(['[1,2]', '"gpu"', '3'])(
      'POST /users/alice/server with a body %s that is not an object is refused',
      async (raw) => {
        await refused(
          400,
          'POST',
          '/hub/api/users/alice/server',
          raw,
          /^The request body must be a JSON object/,
        );
      },
    );
  });
});
