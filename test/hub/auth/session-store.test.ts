// Session cookie signing and the server-side session store, against real SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { LoginStore } from '../../../src/db/stores/logins.js';
import { signSessionCookie, verifySessionCookie } from '../../../src/hub/auth/session-cookie.js';
import { SessionStore, type RevokeEvent } from '../../../src/hub/auth/session-store.js';
import { createTestDatabase } from '../../support/postgres.js';

const SECRET = 'a'.repeat(64);

describe('session cookie', () => {
  it('verifies its own signature and returns the id', () => {
    const value = signSessionCookie('abc_-123', SECRET);
    expect(value.startsWith('abc_-123.')).toBe(true);
    expect(verifySessionCookie(value, SECRET)).toBe('abc_-123');
  });

  it('refuses a tampered id, a tampered mac, another secret and junk', () => {
    const value = signSessionCookie('abc', SECRET);
    const mac = value.split('.')[1]!;
    expect(verifySessionCookie(`abd.${mac}`, SECRET)).toBeNull();
    expect(verifySessionCookie(`abc.${mac.slice(0, -1)}A`, SECRET)).toBeNull();
    expect(verifySessionCookie(value, 'b'.repeat(64))).toBeNull();
    for (const junk of ['', '.', 'abc', 'abc.', '.xyz', undefined, null])
      expect(verifySessionCookie(junk, SECRET)).toBeNull();
    expect(() => signSessionCookie('abc', '')).toThrow();
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`SessionStore on ${kind}`, () => {
    let handle: DatabaseHandle;
    let clock = new Date('2026-01-01T00:00:00Z');
    let store: SessionStore;

    beforeAll(async () => {
      const url = kind === 'sqlite' ? ':memory:' : await createTestDatabase();
      handle = openDatabase({ url });
      await migrateToLatest(handle.db);
      for (const name of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'])
        await handle.db
          .insertInto('users')
          .values({ name, admin: 0, created: clock.toISOString() })
          .execute();
      store = new SessionStore(new LoginStore(handle.db), {
        cookieSecret: SECRET,
        maxAgeMs: 60 * 60 * 1000,
        now: () => clock,
      });
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('creates a session with a fresh random id and csrf token, and resolves its cookie', async () => {
      const a = await store.create('ann');
      const b = await store.create('ann');
      expect(a.sessionId).not.toBe(b.sessionId);
      expect(Buffer.from(a.sessionId, 'base64url')).toHaveLength(32);
      expect(a.csrfToken).not.toBe(a.sessionId);
      const resolved = await store.resolve(a.cookieValue);
      expect(resolved).toEqual({
        sessionId: a.sessionId,
        userName: 'ann',
        csrfToken: a.csrfToken,
        expiresAt: '2026-01-01T01:00:00.000Z',
      });
    });

    it('refuses an unsigned id, an unknown id and an expired session', async () => {
      const s = await store.create('bob');
      expect(await store.resolve(s.sessionId)).toBeNull();
      expect(await store.resolve(signSessionCookie('nope', SECRET))).toBeNull();
      clock = new Date('2026-01-01T01:00:00Z');
      expect(await store.resolve(s.cookieValue)).toBeNull();
      clock = new Date('2026-01-01T00:00:00Z');
      // Expired sessions are deleted, not just hidden until the clock goes back.
      expect(await store.resolve(s.cookieValue)).toBeNull();
    });

    it('revokes one session and tells listeners; other sessions of the user survive', async () => {
      const events: RevokeEvent[] = [];
      const stop = store.onRevoke((e) => events.push(e));
      const s1 = await store.create('cat');
      const s2 = await store.create('cat');
      await store.revoke(s1.sessionId);
      await store.revoke(s1.sessionId);
      expect(await store.resolve(s1.cookieValue)).toBeNull();
      expect(await store.resolve(s2.cookieValue)).not.toBeNull();
      expect(events).toEqual([{ userName: 'cat', sessionIds: [s1.sessionId] }]);
      stop();
    });

    it('revokes all sessions of one user and no one else', async () => {
      const events: RevokeEvent[] = [];
      store.onRevoke((e) => events.push(e));
      store.onRevoke(() => {
        throw new Error('a broken listener must not stop revocation');
      });
      const d1 = await store.create('dan');
      const d2 = await store.create('dan');
      const e1 = await store.create('eve');
      expect(await store.revokeAllForUser('dan')).toBe(2);
      expect(await store.resolve(d1.cookieValue)).toBeNull();
      expect(await store.resolve(d2.cookieValue)).toBeNull();
      expect((await store.resolve(e1.cookieValue))?.userName).toBe('eve');
      expect(events).toHaveLength(1);
      expect(events[0]!.userName).toBe('dan');
      expect([...events[0]!.sessionIds].sort()).toEqual([d1.sessionId, d2.sessionId].sort());
      expect(await store.revokeAllForUser('dan')).toBe(0);
    });

    it('deleting a user drops their sessions too (foreign key safety net)', async () => {
      const s = await store.create('fay');
      await handle.db.deleteFrom('users').where('name', '=', 'fay').execute();
      expect(await store.resolve(s.cookieValue)).toBeNull();
      await handle.db
        .insertInto('users')
        .values({ name: 'fay', admin: 0, created: clock.toISOString() })
        .execute();
    });

    it('purges expired rows', async () => {
      await store.create('fay');
      clock = new Date('2026-01-02T00:00:00Z');
      expect(await store.purgeExpired()).toBeGreaterThan(0);
      const left = await handle.db.selectFrom('sessions').select('id').execute();
      expect(left).toEqual([]);
      clock = new Date('2026-01-01T00:00:00Z');
    });
  });
}
