import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { TokenStore } from '../../../src/db/stores/tokens.js';
import {
  InvalidTokenError,
  TokenRequestError,
  TokenScopeError,
  TokenService,
  createServerToken,
  hashToken,
} from '../../../src/hub/tokens/index.js';
import { roleScopes } from '../../../src/hub/scopes.js';
import { createTestDatabase } from '../../support/postgres.js';

const backends = [
  ['sqlite', async () => ':memory:'],
  ['postgres', async () => createTestDatabase()],
] as const;

describe.each(backends)('tokens on %s', (_name, makeUrl) => {
  let handle: DatabaseHandle;
  let clock = new Date('2026-01-01T00:00:00Z');
  let tokens: TokenService;

  beforeAll(async () => {
    handle = openDatabase({ url: await makeUrl() });
    await migrateToLatest(handle.db);
    const created = new Date().toISOString();
    await handle.db
      .insertInto('users')
      .values([
        {
          name: 'alice',
          admin: 0,
          created,
          first_name: null,
          last_name: null,
          email: null,
          roster: null,
          last_activity: null,
        },
        {
          name: 'boss',
          admin: 1,
          created,
          first_name: null,
          last_name: null,
          email: null,
          roster: null,
          last_activity: null,
        },
      ])
      .execute();
    tokens = new TokenService(new TokenStore(handle.db), 60_000, () => clock);
  });
  afterAll(async () => handle.db && (await handle.close()));

  it('stores only a hash and a prefix, and resolves the secret to its owner', async () => {
    const { token, record } = await tokens.create({ user: 'alice', note: 'for a script' });
    expect(token.length).toBeGreaterThanOrEqual(43);
    const row = await handle.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(row.hash).toBe(hashToken(token));
    expect(row.hash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.prefix).toBe(token.slice(0, 4));
    const resolved = await tokens.resolve(token);
    expect(resolved.owner.name).toBe('alice');
    expect(resolved.note).toBe('for a script');
    expect(resolved.scopes).toEqual(['inherit']);
  });

  it('refuses scopes beyond the owner and beyond the requester', async () => {
    await expect(tokens.create({ user: 'alice', scopes: ['admin:users'] })).rejects.toThrow(TokenScopeError);
    await expect(
      tokens.create({
        user: 'boss',
        scopes: ['admin:users'],
        requesterScopes: roleScopes({ name: 'alice', admin: false }),
      }),
    ).rejects.toThrow(/you does not hold|you do/);
    await expect(tokens.create({ user: 'alice', scopes: ['nonsense'] })).rejects.toThrow(TokenRequestError);
    await expect(tokens.create({ user: 'nobody' })).rejects.toThrow(/No user named "nobody"/);
    const ok = await tokens.create({ user: 'alice', scopes: ['read:users!user=alice'] });
    expect(ok.record.scopes).toEqual(['read:users!user=alice']);
  });

  it('expired and revoked tokens are refused with a clear message', async () => {
    const { token, record } = await tokens.create({ user: 'alice', expiresInSeconds: 60 });
    await tokens.resolve(token);
    clock = new Date(clock.getTime() + 61_000);
    await expect(tokens.resolve(token)).rejects.toThrow(/expired at/);
    const second = await tokens.create({ user: 'alice' });
    expect(await tokens.revoke('alice', second.record.id)).toBe(true);
    expect(await tokens.revoke('alice', second.record.id)).toBe(false);
    await expect(tokens.resolve(second.token)).rejects.toThrow(InvalidTokenError);
    await expect(tokens.resolve('not-a-token')).rejects.toThrow(/unknown or has been revoked/);
    expect(await tokens.get('alice', record.id)).toBeDefined();
    expect(await tokens.get('boss', record.id)).toBeUndefined();
  });

  it('writes last_activity at most once per interval', async () => {
    const { token, record } = await tokens.create({ user: 'alice' });
    const read = async () =>
      (
        await handle.db
          .selectFrom('api_tokens')
          .select('last_activity')
          .where('id', '=', record.id)
          .executeTakeFirstOrThrow()
      ).last_activity;
    expect(await read()).toBeNull();
    await tokens.resolve(token);
    const first = await read();
    expect(first).toBe(clock.toISOString());
    clock = new Date(clock.getTime() + 30_000);
    await tokens.resolve(token);
    expect(await read()).toBe(first);
    clock = new Date(clock.getTime() + 31_000);
    await tokens.resolve(token);
    expect(await read()).toBe(clock.toISOString());
    const owner = await handle.db
      .selectFrom('users')
      .select('last_activity')
      .where('name', '=', 'alice')
      .executeTakeFirstOrThrow();
    expect(owner.last_activity).toBe(clock.toISOString());
  });

  it('server tokens are narrow and deleting the user deletes their tokens', async () => {
    const { token } = await createServerToken(tokens, 'alice');
    const record = await tokens.resolve(token);
    expect(record.kind).toBe('server');
    // JupyterHub's `server` role: access to that one server (the default one here), not all of alice's.
    expect(record.scopes.sort()).toEqual([
      'access:servers!server=alice/',
      'courses!user=alice',
      'read:users:name!user=alice',
      'users:activity!user=alice',
    ]);
    await handle.db.deleteFrom('users').where('name', '=', 'alice').execute();
    await expect(tokens.resolve(token)).rejects.toThrow(InvalidTokenError);
    expect(await handle.db.selectFrom('api_tokens').selectAll().execute()).toEqual([]);
  });
});
