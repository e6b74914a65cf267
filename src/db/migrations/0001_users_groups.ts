/**
 * Hub users and groups (see ../tables/hub.ts). Group memberships go with their user or group
 * (on delete cascade), so deleting a user never leaves a dangling member row.
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await idColumn(db.schema.createTable('users'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('roster', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_activity', 'text')
    .execute();
  await db.schema.createIndex('users_last_activity').on('users').column('last_activity').execute();

  await idColumn(db.schema.createTable('groups'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('group_members').execute();
  await db.schema.dropTable('groups').execute();
  await db.schema.dropTable('users').execute();
}

export const usersAndGroups: Migration = { up, down };
