import type { Kysely, Migration } from 'kysely';

/**
 * Login state: server-side sessions (the cookie only names one) and local-password hashes.
 * Kept apart from `users` so the users area owns its table and a hub with GitHub/OIDC login
 * simply has no password rows.
 */
export const sessionsAndPasswords: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // The cascade is a safety net: the users area calls SessionStore.revokeAllForUser first,
      // which also tells the proxy.
      .addColumn('user_name', 'text', (c) =>
        c.notNull().references('users.name').onDelete('cascade').onUpdate('cascade'),
      )
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user_name').on('sessions').column('user_name').execute();

    await db.schema
      .createTable('password_credentials')
      .addColumn('user_name', 'text', (c) =>
        c.primaryKey().references('users.name').onDelete('cascade').onUpdate('cascade'),
      )
      .addColumn('password_hash', 'text', (c) => c.notNull())
      // 1 after an admin reset: the user must choose a new password at next login.
      .addColumn('must_change', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('password_credentials').execute();
    await db.schema.dropTable('sessions').execute();
  },
};
