/**
 * API tokens (see ../tables/hub.ts ApiTokensTable). Only the SHA-256 of a token is stored, and a
 * unique index on it makes resolving a presented token one indexed lookup.
 * Tokens belong to a user row (`user_id`, on delete cascade): deleting a user deletes their
 * tokens, and a new user later given the same name does not inherit them (new id).
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await idColumn(db.schema.createTable('api_tokens'), dialect)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('api'))
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_activity', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute();
}

export const apiTokensMigration: Migration = { up, down };
