/**
 * User servers (see ServersTable in ../tables/hub.ts): one row per (user, server name) that is
 * running, starting or stopping. The spawner's state lives here so a restarted hub re-attaches
 * to servers that kept running. Rows go with their user (on delete cascade).
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await idColumn(db.schema.createTable('servers'), dialect)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('spawner', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('url', 'text')
    .addColumn('pending', 'text')
    .addColumn('started', 'text')
    .addColumn('last_activity', 'text')
    .addUniqueConstraint('servers_user_name', ['user_id', 'name'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('servers').execute();
}

export const serversMigration: Migration = { up, down };
