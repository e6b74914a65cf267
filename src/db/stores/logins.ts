/**
 * Login state (migration 0020): the `sessions` table (a signed-in browser; the cookie carries only
 * the id) and `password_credentials` (the scrypt hash of a local user's password). The hub's
 * SessionStore, LocalAccounts and LocalAuthenticator (src/hub/auth/) decide; this store only reads
 * and writes rows.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface SessionRecord {
  id: string;
  userName: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface PasswordRecord {
  userName: string;
  passwordHash: string;
  /** Set after an admin reset: the user must choose a new password at next login. */
  mustChange: boolean;
  updatedAt: string;
}

export class LoginStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertSession(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_name: session.userName,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  async findSession(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return (
      row && {
        id: row.id,
        userName: row.user_name,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      }
    );
  }

  async touchSession(id: string, lastSeenAt: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id', '=', id).execute();
  }

  /** Deletes one session; returns whose it was, or undefined when there was none. */
  async deleteSession(id: string): Promise<string | undefined> {
    const row = await this.db
      .deleteFrom('sessions')
      .where('id', '=', id)
      .returning(['user_name'])
      .executeTakeFirst();
    return row?.user_name;
  }

  /** Deletes every session of a user; returns their ids. */
  async deleteSessionsOfUser(userName: string): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('sessions')
      .where('user_name', '=', userName)
      .returning(['id'])
      .execute();
    return rows.map((r) => r.id);
  }

  /** Deletes sessions that expired at or before `now` (ISO-8601); returns how many. */
  async deleteExpiredSessions(now: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Sessions that expire after `now` (ISO-8601). */
  async countActiveSessions(now: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async findPassword(userName: string): Promise<PasswordRecord | undefined> {
    const row = await this.db
      .selectFrom('password_credentials')
      .selectAll()
      .where('user_name', '=', userName)
      .executeTakeFirst();
    return (
      row && {
        userName: row.user_name,
        passwordHash: row.password_hash,
        mustChange: row.must_change === 1,
        updatedAt: row.updated_at,
      }
    );
  }

  /** Stores a user's password hash (insert or replace). */
  async savePassword(password: PasswordRecord): Promise<void> {
    const row = {
      user_name: password.userName,
      password_hash: password.passwordHash,
      must_change: password.mustChange ? 1 : 0,
      updated_at: password.updatedAt,
    };
    await this.db
      .insertInto('password_credentials')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_name').doUpdateSet({
          password_hash: row.password_hash,
          must_change: row.must_change,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }
}
