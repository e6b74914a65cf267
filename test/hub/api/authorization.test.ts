// Every REST route called as anonymous, a student (browser session and API token), an admin
// (session and token) and a token with too few scopes; each answer's status is checked against
// the table. A last test fails if a route is registered that the table does not cover.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

type Caller = 'anonymous' | 'studentSession' | 'studentToken' | 'adminSession' | 'adminToken' | 'narrowToken';

interface Row {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Route template (as registered) this row covers. */
  route: string;
  /** Concrete URL; a function when each call needs a fresh object (e.g. something to delete). */
  url: string | ((caller: Caller) => Promise<string>);
  body?: unknown | ((caller: Caller) => unknown);
  /** Expected status for [anonymous, student (both), admin (both), narrow token]. */
  expect: [number, number, number, number];
}

let hub: ApiTestHub;
let serial = 0;
const fresh = (prefix: string) => `${prefix}${++serial}`;

async function freshUser(): Promise<string> {
  const name = fresh('victim');
  await hub.users.create({ name });
  return `/hub/api/users/${name}`;
}
async function freshGroup(): Promise<string> {
  const name = fresh('grp');
  await hub.users.createGroup(name);
  return `/hub/api/groups/${name}`;
}
async function aliceToken(): Promise<string> {
  const { record } = await hub.tokens.create({ user: 'alice', note: 'to read or delete' });
  return `/hub/api/users/alice/tokens/a${record.id}`;
}
async function bobToken(): Promise<string> {
  const { record } = await hub.tokens.create({ user: 'bob' });
  return `/hub/api/users/bob/tokens/a${record.id}`;
}

const TABLE: Row[] = [
  { method: 'GET', route: '/hub/api', url: '/hub/api', expect: [200, 200, 200, 200] },
  {
    method: 'GET',
    route: '/hub/api/openapi.json',
    url: '/hub/api/openapi.json',
    expect: [200, 200, 200, 200],
  },
  { method: 'GET', route: '/hub/api/info', url: '/hub/api/info', expect: [403, 403, 200, 403] },
  { method: 'GET', route: '/hub/api/user', url: '/hub/api/user', expect: [403, 200, 200, 200] },
  { method: 'GET', route: '/hub/api/users', url: '/hub/api/users', expect: [403, 403, 200, 403] },
  // JupyterHub's services (none configured here: an admin lists none and finds no such one).
  { method: 'GET', route: '/hub/api/services', url: '/hub/api/services', expect: [403, 403, 200, 403] },
  {
    method: 'GET',
    route: '/hub/api/services/:name',
    url: '/hub/api/services/nope',
    expect: [403, 403, 404, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/users',
    url: '/hub/api/users',
    body: () => ({ usernames: [fresh('new')] }),
    expect: [403, 403, 201, 403],
  },
  { method: 'GET', route: '/hub/api/users/:name', url: '/hub/api/users/alice', expect: [403, 200, 200, 200] },
  { method: 'GET', route: '/hub/api/users/:name', url: '/hub/api/users/bob', expect: [403, 403, 200, 200] },
  {
    method: 'POST',
    route: '/hub/api/users/:name',
    url: async () => `/hub/api/users/${fresh('made')}`,
    body: {},
    expect: [403, 403, 201, 403],
  },
  {
    method: 'PATCH',
    route: '/hub/api/users/:name',
    url: '/hub/api/users/bob',
    body: { admin: false },
    expect: [403, 403, 200, 403],
  },
  // a student cannot make themself admin
  {
    method: 'PATCH',
    route: '/hub/api/users/:name',
    url: '/hub/api/users/alice',
    body: { admin: true },
    expect: [403, 403, 200, 403],
  },
  { method: 'DELETE', route: '/hub/api/users/:name', url: freshUser, expect: [403, 403, 204, 403] },
  {
    method: 'POST',
    route: '/hub/api/users/:name/activity',
    url: '/hub/api/users/alice/activity',
    body: () => ({ last_activity: new Date().toISOString() }),
    expect: [403, 200, 200, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/users/:name/activity',
    url: '/hub/api/users/bob/activity',
    body: () => ({ last_activity: new Date().toISOString() }),
    expect: [403, 403, 200, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/users/:name',
    url: '/hub/api/users/alice',
    expect: [403, 403, 204, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/users/:name/tokens',
    url: '/hub/api/users/alice/tokens',
    expect: [403, 200, 200, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/users/:name/tokens',
    url: '/hub/api/users/bob/tokens',
    expect: [403, 403, 200, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/users/:name/tokens',
    url: '/hub/api/users/alice/tokens',
    body: {},
    expect: [403, 201, 201, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/users/:name/tokens',
    url: '/hub/api/users/bob/tokens',
    body: {},
    expect: [403, 403, 201, 403],
  },
  { method: 'GET', route: '/hub/api/users/:name/tokens/:id', url: aliceToken, expect: [403, 200, 200, 403] },
  { method: 'GET', route: '/hub/api/users/:name/tokens/:id', url: bobToken, expect: [403, 403, 200, 403] },
  {
    method: 'DELETE',
    route: '/hub/api/users/:name/tokens/:id',
    url: aliceToken,
    expect: [403, 204, 204, 403],
  },
  { method: 'DELETE', route: '/hub/api/users/:name/tokens/:id', url: bobToken, expect: [403, 403, 204, 403] },
  { method: 'GET', route: '/hub/api/groups', url: '/hub/api/groups', expect: [403, 403, 200, 403] },
  {
    method: 'POST',
    route: '/hub/api/groups',
    url: '/hub/api/groups',
    body: () => ({ groups: [fresh('g')] }),
    expect: [403, 403, 201, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/groups/:name',
    url: '/hub/api/groups/course',
    expect: [403, 403, 200, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/groups/:name',
    url: async () => `/hub/api/groups/${fresh('newgroup')}`,
    body: {},
    expect: [403, 403, 201, 403],
  },
  { method: 'DELETE', route: '/hub/api/groups/:name', url: freshGroup, expect: [403, 403, 204, 403] },
  {
    method: 'POST',
    route: '/hub/api/groups/:name/users',
    url: '/hub/api/groups/course/users',
    body: { users: ['bob'] },
    expect: [403, 403, 200, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/groups/:name/users',
    url: '/hub/api/groups/course/users',
    body: { users: ['bob'] },
    expect: [403, 403, 200, 403],
  },
  { method: 'GET', route: '/hub/metrics', url: '/hub/metrics', expect: [403, 403, 200, 403] },
];

const CALLERS: Caller[] = [
  'anonymous',
  'studentSession',
  'studentToken',
  'adminSession',
  'adminToken',
  'narrowToken',
];
const COLUMN: Record<Caller, number> = {
  anonymous: 0,
  studentSession: 1,
  studentToken: 1,
  adminSession: 2,
  adminToken: 2,
  narrowToken: 3,
};

const headersFor: Partial<Record<Caller, () => Promise<Record<string, string>>>> = {};

beforeAll(async () => {
  hub = await startApiTestHub();
  await hub.users.create({ name: 'boss', admin: true });
  await hub.users.create({ name: 'alice' });
  await hub.users.create({ name: 'bob' });
  await hub.users.createGroup('course', ['alice']);
  headersFor.anonymous = async () => ({});
  // A fresh session per call: deleting alice would otherwise end the session other rows use.
  headersFor.studentSession = () => hub.sessionHeaders('alice');
  headersFor.studentToken = () => hub.tokenHeaders('alice');
  headersFor.adminSession = () => hub.sessionHeaders('boss');
  headersFor.adminToken = () => hub.tokenHeaders('boss');
  // The admin's token, cut down to reading users: enough for GET /users/NAME, nothing else.
  headersFor.narrowToken = () => hub.tokenHeaders('boss', ['read:users']);
});
afterAll(async () => hub?.close());

// Rows change alice (an admin may delete her or make her admin): every call starts from a
// plain student alice in group `course`.
beforeEach(async () => {
  const alice = await hub.users.get('alice');
  if (!alice) await hub.users.create({ name: 'alice' });
  else if (alice.admin) await hub.users.setAdmin('alice', false);
  const course = await hub.users.getGroup('course');
  if (course && !course.users.includes('alice')) await hub.users.addGroupMembers('course', ['alice']);
});

describe('authorization of every REST route', () => {
  for (const row of TABLE) {
    const label = `${row.method} ${typeof row.url === 'string' ? row.url : row.route}`;
    it.each(CALLERS)(`${label} as %s`, async (caller) => {
      const url = typeof row.url === 'string' ? row.url : await row.url(caller);
      const body = typeof row.body === 'function' ? (row.body as (c: Caller) => unknown)(caller) : row.body;
      const res = await hub.app.inject({
        method: row.method,
        url,
        headers: await headersFor[caller]!(),
        ...(body === undefined ? {} : { payload: body as object }),
      });
      expect(res.statusCode, `${row.method} ${url} as ${caller}: ${res.body.slice(0, 200)}`).toBe(
        row.expect[COLUMN[caller]],
      );
      if (res.statusCode >= 400 && url.startsWith('/hub/api')) {
        const error = res.json();
        expect(error.status).toBe(res.statusCode);
        expect(error.message.length).toBeGreaterThan(10);
      }
    });
  }

  it('the table covers every route registered', () => {
    const covered = new Set(TABLE.map((r) => `${r.method} ${r.route}`));
    // (The course routes have their own table, with course roles: ./courses-authorization.test.ts.)
    const registered = hub.routes
      .filter((r) => r.url.startsWith('/hub/api') || r.url === '/hub/metrics')
      .filter((r) => !r.url.startsWith('/hub/api/courses'))
      .map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThan(15);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });
});
