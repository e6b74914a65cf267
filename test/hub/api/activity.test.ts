// POST /hub/api/users/{name}/activity against JupyterHub 5's rest-api.yml and its checks
// (apihandlers/users.py ActivityAPIHandler): body shape, timestamps, servers that exist, the
// users:activity scope, and times that only move forward; what was recorded is read back
// through GET /users/{name} (read:users:activity and read:servers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

let hub: ApiTestHub;
let admin: Record<string, string>;

beforeAll(async () => {
  hub = await startApiTestHub();
  await hub.users.create({ name: 'boss', admin: true });
  const alice = await hub.users.create({ name: 'alice' });
  await hub.users.create({ name: 'bob' });
  admin = await hub.tokenHeaders('boss');
  // A row for alice's default server, as a running server has (the spawner area writes it).
  const servers = hub.services.stores.servers;
  await servers.claim(alice.id, '', 'local');
  await servers.update(alice.id, '', {
    pending: null,
    url: '/user/alice/',
    started: '2026-01-01T00:00:00.000Z',
    lastActivity: '2026-01-01T00:00:00.000Z',
  });
});
afterAll(async () => hub?.close());

const post = (user: string, body: unknown, headers = admin) =>
  hub.app.inject({
    method: 'POST',
    url: `/hub/api/users/${user}/activity`,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

async function activityOf(user: string): Promise<{ user: string | null; server: string | null }> {
  const model = (
    await hub.app.inject({ method: 'GET', url: `/hub/api/users/${user}`, headers: admin })
  ).json();
  return { user: model.last_activity, server: model.servers['']?.last_activity ?? null };
}

describe('POST /users/{name}/activity', () => {
  it("records the user's and each server's last activity (200), as the example in rest-api.yml", async () => {
    const res = await post('alice', {
      last_activity: '2026-02-06T12:54:14Z',
      servers: { '': { last_activity: '2026-02-06T12:54:15Z' } },
    });
    expect(res.statusCode).toBe(200);
    expect(await activityOf('alice')).toEqual({
      user: '2026-02-06T12:54:14.000Z',
      server: '2026-02-06T12:54:15.000Z',
    });
  });

  it('never moves a time backwards', async () => {
    const res = await post('alice', {
      last_activity: '2026-01-06T00:00:00Z',
      servers: { '': { last_activity: '2026-01-06T00:00:00Z' } },
    });
    expect(res.statusCode).toBe(200);
    expect(await activityOf('alice')).toEqual({
      user: '2026-02-06T12:54:14.000Z',
      server: '2026-02-06T12:54:15.000Z',
    });
  });

  it('takes offsets and times without one (UTC), as JupyterHub', async () => {
    expect((await post('alice', { last_activity: '2026-02-07T01:00:00+02:00' })).statusCode).toBe(200);
    expect((await activityOf('alice')).user).toBe('2026-02-06T23:00:00.000Z');
    expect((await post('alice', { last_activity: '2026-02-08T00:00:00.250' })).statusCode).toBe(200);
    expect((await activityOf('alice')).user).toBe('2026-02-08T00:00:00.250Z');
  });

  it.each([
    ['an empty body', {}, 'at least one of `last_activity` or `servers`'],
    ['a list', [], 'body must be a json dict'],
    ['a bad timestamp', { last_activity: 'yesterday' }, 'Not a valid timestamp'],
    ['a number', { last_activity: 1700000000 }, 'Not a valid timestamp'],
    ['servers not a dict', { servers: ['x'] }, 'servers must be a dict'],
    ['a server without last_activity', { servers: { '': {} } }, 'servers must be a dict'],
    [
      'an unknown server',
      { servers: { gpu: { last_activity: '2026-02-06T12:54:14Z' } } },
      "No such server 'gpu'",
    ],
    [
      'a time over an hour ahead',
      { last_activity: new Date(Date.now() + 2 * 3600_000).toISOString() },
      'more than an hour in the future',
    ],
  ])('refuses %s with 400', async (_what, body, message) => {
    const res = await post('alice', body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ status: 400, message: expect.stringContaining(message) });
  });

  it('writes nothing when one server of several is unknown', async () => {
    const before = await activityOf('alice');
    const res = await post('alice', {
      last_activity: '2026-03-01T00:00:00Z',
      servers: {
        '': { last_activity: '2026-03-01T00:00:00Z' },
        nope: { last_activity: '2026-03-01T00:00:00Z' },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(await activityOf('alice')).toEqual(before);
  });

  it('404 for an unknown user, 403 without users:activity on that user', async () => {
    expect((await post('nobody', { last_activity: '2026-02-06T12:54:14Z' })).statusCode).toBe(404);
    const reader = await hub.tokenHeaders('boss', ['read:users']);
    expect((await post('alice', { last_activity: '2026-02-06T12:54:14Z' }, reader)).statusCode).toBe(403);
    const bobs = await hub.tokenHeaders('bob');
    expect((await post('alice', { last_activity: '2026-02-06T12:54:14Z' }, bobs)).statusCode).toBe(403);
    // A token like the server role's (JUPYTERHUB_API_TOKEN) reports for its own user only.
    const own = await hub.tokenHeaders('alice', ['users:activity!user=alice']);
    expect((await post('alice', { last_activity: '2026-04-01T00:00:00Z' }, own)).statusCode).toBe(200);
    expect((await post('bob', { last_activity: '2026-04-01T00:00:00Z' }, own)).statusCode).toBe(403);
  });
});
