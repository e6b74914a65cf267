/**
 * The `groups` and `group_members` tables (see ./users.ts for the conventions).
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../schema-helpers.js';
import type { Database } from '../schema.js';

export interface GroupRecord {
  id: number;
  name: string;
  created: string;
  /** Member usernames, sorted. */
  users: string[];
}

export class GroupStore {
  constructor(private readonly db: Kysely<Database>) {}

  private async memberNames(groupId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .select('users.name')
      .where('group_members.group_id', '=', groupId)
      .orderBy('users.name')
      .execute();
    return rows.map((r) => r.name);
  }

  async findByName(name: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) return undefined;
    return { id: row.id, name: row.name, created: row.created, users: await this.memberNames(row.id) };
  }

  async list(
    query: { offset?: number; limit?: number } = {},
  ): Promise<{ groups: GroupRecord[]; total: number }> {
    const countRow = await this.db
      .selectFrom('groups')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    let q = this.db.selectFrom('groups').selectAll().orderBy('name');
    // SQLite accepts OFFSET only after a LIMIT, so an offset alone gets a limit that never bites.
    if (query.limit !== undefined || query.offset) q = q.limit(query.limit ?? Number.MAX_SAFE_INTEGER);
    if (query.offset) q = q.offset(query.offset);
    const rows = await q.execute();
    const groups = await Promise.all(
      rows.map(async (row) => ({
        id: row.id,
        name: row.name,
        created: row.created,
        users: await this.memberNames(row.id),
      })),
    );
    return { groups, total: Number(countRow?.n ?? 0) };
  }

  async insert(name: string): Promise<GroupRecord> {
    const row = await this.db
      .insertInto('groups')
      .values({ name, created: nowIso() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: row.id, name: row.name, created: row.created, users: [] };
  }

  async delete(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Adds members; users already in the group are left as they are. */
  async addMembers(groupId: number, userIds: number[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.db
      .insertInto('group_members')
      .values(userIds.map((userId) => ({ group_id: groupId, user_id: userId })))
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
  }

  async removeMembers(groupId: number, userIds: number[]): Promise<void> {
    if (userIds.length === 0) return;
    await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', 'in', userIds)
      .execute();
  }

  async namesOfUser(userId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select('groups.name')
      .where('group_members.user_id', '=', userId)
      .orderBy('groups.name')
      .execute();
    return rows.map((r) => r.name);
  }

  /** Group names of several users at once (one query, for listing pages). */
  async namesOfUsers(userIds: number[]): Promise<Map<number, string[]>> {
    const byUser = new Map<number, string[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return byUser;
    const rows = await this.db
      .selectFrom('group_members')
      .innerJoin('groups', 'groups.id', 'group_members.group_id')
      .select(['group_members.user_id', 'groups.name'])
      .where('group_members.user_id', 'in', userIds)
      .orderBy('groups.name')
      .execute();
    for (const row of rows) byUser.get(row.user_id)?.push(row.name);
    return byUser;
  }
}
