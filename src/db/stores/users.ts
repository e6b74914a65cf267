/**
 * The `users` table. The hub's UserService (src/hub/users/) validates and decides; this store only
 * reads and writes rows. A store made over a transaction (see ./hub-stores.ts) takes part in it.
 */
import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { nowIso } from '../schema-helpers.js';
import type { Database } from '../schema.js';
import type { UsersTable } from '../tables/hub.js';

export interface UserRecord {
  id: number;
  name: string;
  admin: boolean;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  roster: string | null;
  created: string;
  lastActivity: string | null;
}

export interface NewUserRecord {
  name: string;
  admin?: boolean;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  roster?: string | null;
}

export type UserRecordPatch = Partial<Omit<NewUserRecord, 'name'>> & {
  name?: string;
  lastActivity?: string | null;
};

export interface ListUsersQuery {
  offset?: number;
  limit?: number;
  /** Substring of the name (matched literally, `%` and `_` are not wildcards). */
  nameContains?: string;
  sort?: 'name' | 'last_activity' | 'id';
  order?: 'asc' | 'desc';
  /** Where users who never did anything go when sorting by last_activity (default: last). */
  neverActive?: 'first' | 'last';
}

function toRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    name: row.name,
    admin: row.admin === 1,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    roster: row.roster,
    created: row.created,
    lastActivity: row.last_activity,
  };
}

function likePattern(fragment: string): string {
  return `%${fragment.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findByName(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  }

  async list(query: ListUsersQuery = {}): Promise<{ users: UserRecord[]; total: number }> {
    let base = this.db.selectFrom('users');
    if (query.nameContains) {
      base = base.where(sql<boolean>`name like ${likePattern(query.nameContains)} escape '\\'`);
    }
    const countRow = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
    const order = query.order ?? 'asc';
    let rows = base.selectAll();
    if (query.sort === 'last_activity') {
      // Users who never did anything go last either way unless asked otherwise (SQLite and
      // PostgreSQL disagree on where NULLs sort, so say it explicitly).
      const nullRank = query.neverActive === 'first' ? 0 : 1;
      rows = rows
        .orderBy(
          sql`case when last_activity is null then ${sql.lit(nullRank)} else ${sql.lit(1 - nullRank)} end`,
        )
        .orderBy('last_activity', order)
        .orderBy('name', 'asc');
    } else if (query.sort === 'id') {
      rows = rows.orderBy('id', order);
    } else {
      rows = rows.orderBy('name', order);
    }
    // SQLite accepts OFFSET only after a LIMIT, so an offset alone gets a limit that never bites.
    if (query.limit !== undefined || query.offset) rows = rows.limit(query.limit ?? Number.MAX_SAFE_INTEGER);
    if (query.offset) rows = rows.offset(query.offset);
    const result = await rows.execute();
    return { users: result.map(toRecord), total: Number(countRow?.n ?? 0) };
  }

  async all(): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  async insert(user: NewUserRecord): Promise<UserRecord> {
    const row = await this.db
      .insertInto('users')
      .values({
        name: user.name,
        admin: user.admin ? 1 : 0,
        first_name: user.firstName ?? null,
        last_name: user.lastName ?? null,
        email: user.email ?? null,
        roster: user.roster ?? null,
        created: nowIso(),
        last_activity: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async update(name: string, patch: UserRecordPatch): Promise<UserRecord | undefined> {
    const values: Updateable<UsersTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.admin !== undefined) values.admin = patch.admin ? 1 : 0;
    if (patch.firstName !== undefined) values.first_name = patch.firstName;
    if (patch.lastName !== undefined) values.last_name = patch.lastName;
    if (patch.email !== undefined) values.email = patch.email;
    if (patch.roster !== undefined) values.roster = patch.roster;
    if (patch.lastActivity !== undefined) values.last_activity = patch.lastActivity;
    if (Object.keys(values).length === 0) return this.findByName(name);
    const row = await this.db
      .updateTable('users')
      .set(values)
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /**
   * Moves the user's last activity to `when` (ISO-8601 UTC, as toISOString writes it) if that is
   * later; never back in time. True if the row changed.
   */
  async moveActivityForward(name: string, when: string): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ last_activity: when })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('last_activity', 'is', null), eb('last_activity', '<', when)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Deletes the row; their sessions, password, tokens, servers and group memberships go with it
   * (foreign keys cascade). Only the hub's UserRemoval calls this: it ends all of those first, so
   * that the proxy hears of every revocation while the rows still say what to revoke.
   */
  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
