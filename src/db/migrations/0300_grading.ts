/**
 * Grading by hand in the hub's pages (see ../tables/grading.ts): per course and assignment the
 * anonymous setting and the course's pseudonym secret; per field of a graded cell the log of the
 * values graders saved. Both go with their course or submitted notebook.
 */
import type { Kysely, Migration } from 'kysely';
import { dialectOf, idColumn } from '../schema-helpers.js';

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = await dialectOf(db);
  await db.schema
    .createTable('grading_settings')
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id').onDelete('cascade'))
    .addColumn('assignment', 'text', (c) => c.notNull())
    .addColumn('anonymous', 'integer')
    .addColumn('pseudonym_secret', 'text')
    .addColumn('changed_by', 'text')
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('grading_settings_pk', ['course_id', 'assignment'])
    .execute();

  await idColumn(db.schema.createTable('grading_edits'), dialect)
    .addColumn('submitted_notebook_id', 'integer', (c) =>
      c.notNull().references('gradebook_submitted_notebook.id').onDelete('cascade'),
    )
    .addColumn('cell', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('edited_by', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text', (c) => c.notNull())
    // Two saves that read the same version cannot both write the next one: the second retries.
    .addUniqueConstraint('grading_edits_version', ['submitted_notebook_id', 'cell', 'field', 'version'])
    .execute();
}

async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('grading_edits').execute();
  await db.schema.dropTable('grading_settings').execute();
}

export const gradingMigration: Migration = { up, down };
