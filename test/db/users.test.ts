import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRemoval } from '../../src/hub/users/user-removal.js';
import type { UserService } from '../../src/hub/users/user-service.js';
import {
  GroupNotFoundError,
  InvalidNameError,
  UserExistsError,
  UserNotFoundError,
} from '../../src/hub/users/errors.js';
import { testServices } from '../support/services.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from './backends.js';

describe.each(BACKENDS)('users and groups on %s', (backend) => {
  let database: TestDatabase;
  let users: UserService;
  let removal: UserRemoval;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    ({ users, userRemoval: removal } = testServices(database.db));
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('creates a user with a normalized name and reads it back', async () => {
    const created = await users.create({
      name: '  Alice ',
      firstName: 'Alice',
      lastName: 'Liddell',
      email: 'a@x.org',
    });
    expect(created.name).toBe('alice');
    expect(created.admin).toBe(false);
    const read = await users.require('ALICE');
    expect(read).toMatchObject({
      name: 'alice',
      firstName: 'Alice',
      lastName: 'Liddell',
      email: 'a@x.org',
      groups: [],
    });
    expect(Date.parse(read.created)).not.toBeNaN();
    expect(read.lastActivity).toBeNull();
    expect(await users.isAllowed('alice')).toBe(true);
    expect(await users.isAllowed('mallory')).toBe(false);
  });

  it('refuses a duplicate user', async () => {
    await expect(users.create({ name: 'Alice' })).rejects.toThrow(UserExistsError);
  });

  it.each([
    ['../etc', /"\/" or "\.\."/],
    ['bob smith', /space/],
    ['9lives', /must start with a lowercase letter/],
    ['a'.repeat(33), /longer than 32/],
    ['bob$', /character other than/],
    ['', /empty/],
  ])('refuses the username %j with a reason', async (name, reason) => {
    const error = await users.create({ name }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidNameError);
    expect((error as Error).message).toMatch(reason);
    expect(await users.count()).toBe(1);
  });

  it('updates, renames, grants admin and deletes', async () => {
    await users.create({ name: 'bob' });
    expect((await users.setAdmin('bob', true)).admin).toBe(true);
    const renamed = await users.update('bob', { name: 'Robert', lastName: 'Builder' });
    expect(renamed).toMatchObject({ name: 'robert', admin: true, lastName: 'Builder' });
    expect(await users.get('bob')).toBeUndefined();
    await expect(users.update('robert', { name: 'alice' })).rejects.toThrow(UserExistsError);
    expect(await removal.remove('Robert')).toBe('robert');
    await expect(removal.remove('robert')).rejects.toThrow(UserNotFoundError);
  });

  it('deleting a user removes their sessions too (foreign keys enforced on both databases)', async () => {
    await users.create({ name: 'leaver' });
    const now = new Date().toISOString();
    await database.db
      .insertInto('sessions')
      .values({
        id: 's1',
        user_name: 'leaver',
        csrf_token: 'c',
        created_at: now,
        last_seen_at: now,
        expires_at: now,
      })
      .execute();
    await removal.remove('leaver');
    expect(await database.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('lists with offset/limit, a literal name filter and sorting by last activity', async () => {
    for (const name of ['carol', 'dave', 'erin', 'frank', 'x_y']) await users.create({ name });
    await users.touch('dave', '2026-01-02T00:00:00.000Z');
    await users.touch('erin', '2026-01-03T00:00:00.000Z');
    await users.touch('alice', '2026-01-01T00:00:00.000Z');

    const page = await users.list({ offset: 1, limit: 2 });
    expect(page.total).toBe(6);
    expect(page.users.map((u) => u.name)).toEqual(['carol', 'dave']);
    expect((await users.list({ offset: 4 })).users.map((u) => u.name)).toEqual(['frank', 'x_y']);

    const recent = await users.list({ sort: 'last_activity', order: 'desc' });
    expect(recent.users.map((u) => u.name)).toEqual(['erin', 'dave', 'alice', 'carol', 'frank', 'x_y']);
    const oldest = await users.list({ sort: 'last_activity', order: 'asc', limit: 3 });
    expect(oldest.users.map((u) => u.name)).toEqual(['alice', 'dave', 'erin']);

    // "_" is a wildcard in SQL LIKE; the filter must match it literally.
    const filtered = await users.list({ nameContains: '_' });
    expect(filtered.users.map((u) => u.name)).toEqual(['x_y']);
    expect(filtered.total).toBe(1);
    expect((await users.list({ nameContains: 'A' })).users.map((u) => u.name)).toEqual([
      'alice',
      'carol',
      'dave',
      'frank',
    ]);
  });

  it('keeps groups and their members, and drops memberships with the user', async () => {
    const group = await users.createGroup('section-a', ['alice', 'carol']);
    expect(group.users).toEqual(['alice', 'carol']);
    expect((await users.addGroupMembers('section-a', ['dave', 'alice'])).users).toEqual([
      'alice',
      'carol',
      'dave',
    ]);
    expect((await users.removeGroupMembers('section-a', ['carol'])).users).toEqual(['alice', 'dave']);
    expect((await users.require('alice')).groups).toEqual(['section-a']);
    const listed = await users.list({ nameContains: 'dave' });
    expect(listed.users[0]?.groups).toEqual(['section-a']);

    await expect(users.addGroupMembers('section-a', ['dave', 'nobody'])).rejects.toThrow(UserNotFoundError);
    await expect(users.createGroup('bad group')).rejects.toThrow(InvalidNameError);
    await expect(users.createGroup('section-b', ['nobody'])).rejects.toThrow(UserNotFoundError);
    expect(await users.getGroup('section-b')).toBeUndefined();

    await removal.remove('dave');
    expect((await users.requireGroup('section-a')).users).toEqual(['alice']);
    expect((await users.listGroups()).total).toBe(1);
    await users.deleteGroup('section-a');
    await expect(users.requireGroup('section-a')).rejects.toThrow(GroupNotFoundError);
  });
});
