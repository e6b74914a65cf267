// The servers table through ServerStore on both databases: one row per (user, server name),
// a second claim loses, state round-trips as JSON, rows go with their user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerStore } from '../../../src/db/stores/servers.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../backends.js';

describe.each(BACKENDS)('ServerStore on %s', (backend) => {
  let database: TestDatabase;
  let store: ServerStore;
  let aliceId: number;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    store = new ServerStore(database.db);
    const now = new Date().toISOString();
    for (const name of ['alice', 'bob'])
      await database.db.insertInto('users').values({ name, admin: 0, created: now }).execute();
    aliceId = (await store.userId('alice'))!;
  });

  afterAll(async () => {
    await database?.dispose();
  });

  it('claims a server once; a second claim for the same user and name loses', async () => {
    expect(await store.claim(aliceId, '', 'local')).toBe(true);
    expect(await store.claim(aliceId, '', 'local')).toBe(false);
    expect(await store.claim(aliceId, 'other', 'local')).toBe(true);
    await store.remove(aliceId, 'other');
    expect(await store.get('alice', '')).toMatchObject({
      userName: 'alice',
      name: '',
      pending: 'spawn',
      url: null,
      state: {},
    });
  });

  it('keeps the spawner state and the life-cycle fields', async () => {
    const state = {
      pid: 4242,
      port: 40001,
      token: 't0k',
      url: 'http://127.0.0.1:40001/user/alice/',
      cgroupDirs: ['/x'],
    };
    await store.update(aliceId, '', {
      state,
      pending: null,
      url: '/user/alice/',
      started: '2026-01-01T00:00:00.000Z',
      lastActivity: '2026-01-01T00:05:00.000Z',
    });
    const record = await store.get('alice', '');
    expect(record).toMatchObject({
      state,
      pending: null,
      url: '/user/alice/',
      started: '2026-01-01T00:00:00.000Z',
      lastActivity: '2026-01-01T00:05:00.000Z',
    });
    expect((await store.all()).map((r) => r.userName)).toEqual(['alice']);
    expect(await store.forUser('bob')).toEqual([]);
  });

  it('deleting the user deletes their server rows', async () => {
    await database.db.deleteFrom('users').where('name', '=', 'alice').execute();
    expect(await store.all()).toEqual([]);
  });

  it('a corrupt state column reads as empty state instead of failing the hub', async () => {
    const bobId = (await store.userId('bob'))!;
    await store.claim(bobId, '', 'local');
    await database.db
      .updateTable('servers')
      .set({ state: 'not json' })
      .where('user_id', '=', bobId)
      .execute();
    expect((await store.get('bob', ''))?.state).toEqual({});
  });
});
