/**
 * Who may use the hub: a user who exists in the `users` table (the users area fills it from the
 * rosters, the admin console and the API). Authenticators prove identity; this decides access.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface AllowedUser {
  name: string;
  admin: boolean;
}

export async function findAllowedUser(db: Kysely<Database>, name: string): Promise<AllowedUser | null> {
  const row = await db
    .selectFrom('users')
    .select(['name', 'admin'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? { name: row.name, admin: row.admin === 1 } : null;
}
