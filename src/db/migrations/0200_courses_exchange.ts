/**
 * Courses on the hub with their roles, the exchange (releases, fetches, submissions, released
 * feedback) and jobs (see ../tables/courses.ts). A course's rows go with it; roles go with their
 * user; submissions and feedback outlive the account (user_id set null), as grades do.
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await idColumn(db.schema.createTable('courses'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('directory', 'text', (c) => c.notNull())
    .addColumn('unix_group', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('course_roles')
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('course_roles_pk', ['course_id', 'user_id'])
    .execute();
  await db.schema.createIndex('course_roles_user').on('course_roles').column('user_id').execute();

  await idColumn(db.schema.createTable('exchange_releases'), dialect)
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('released_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text')
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_by', 'text')
    .addUniqueConstraint('exchange_releases_version', ['course_id', 'assignment', 'version'])
    .execute();

  await idColumn(db.schema.createTable('exchange_fetches'), dialect)
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('release_id', 'integer', (c) =>
      c.notNull().references('exchange_releases.id').onDelete('cascade'),
    )
    .addColumn('fetched_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('exchange_fetches_student')
    .on('exchange_fetches')
    .columns(['course_id', 'student', 'assignment'])
    .execute();

  await idColumn(db.schema.createTable('exchange_submissions'), dialect)
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull().unique())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('release_id', 'integer', (c) => c.references('exchange_releases.id').onDelete('set null'))
    .addColumn('warnings', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createIndex('exchange_submissions_assignment')
    .on('exchange_submissions')
    .columns(['course_id', 'assignment', 'student', 'timestamp'])
    .execute();

  await idColumn(db.schema.createTable('exchange_feedback'), dialect)
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('student', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull().unique())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('files', 'integer', (c) => c.notNull())
    .addColumn('released_at', 'text', (c) => c.notNull())
    .addColumn('released_by', 'text')
    .addUniqueConstraint('exchange_feedback_one', ['course_id', 'assignment', 'student', 'timestamp'])
    .execute();

  await idColumn(db.schema.createTable('jobs'), dialect)
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .addColumn('result', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('jobs_course').on('jobs').columns(['course_id', 'state']).execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'jobs',
    'exchange_feedback',
    'exchange_submissions',
    'exchange_fetches',
    'exchange_releases',
    'course_roles',
    'courses',
  ])
    await db.schema.dropTable(table).execute();
}

export const coursesExchangeMigration: Migration = { up, down };
