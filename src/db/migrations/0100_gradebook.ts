/**
 * The gradebook's tables (see ../tables/gradebook.ts). Schema builder only, so the same code
 * creates them on SQLite and PostgreSQL. Child rows cascade with their parent so that removing an
 * assignment or a student never leaves orphaned grades behind.
 */
import { PostgresAdapter, type Kysely, type Migration } from 'kysely';
import { idColumn, type Dialect } from '../schema-helpers.js';

const TABLES = [
  'gradebook_comment',
  'gradebook_grade',
  'gradebook_submitted_notebook',
  'gradebook_submission',
  'gradebook_extension',
  'gradebook_student',
  'gradebook_source_cell',
  'gradebook_task_cell',
  'gradebook_solution_cell',
  'gradebook_grade_cell',
  'gradebook_notebook',
  'gradebook_assignment',
  'gradebook_course',
];

// Asked of the adapter rather than by a probing query: on PostgreSQL a failing probe would abort
// the transaction the migration runs in.
function dialectOfMigration(db: Kysely<unknown>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

async function up(db: Kysely<unknown>): Promise<void> {
  const dialect = dialectOfMigration(db);
  const fk = (table: string) => `${table}.id`;

  await idColumn(db.schema.createTable('gradebook_course'), dialect)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();

  await idColumn(db.schema.createTable('gradebook_assignment'), dialect)
    .addColumn('course_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_course')).onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('duedate', 'text')
    .addUniqueConstraint('gradebook_assignment_course_name', ['course_id', 'name'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_notebook'), dialect)
    .addColumn('assignment_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_assignment')).onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kernelspec', 'text')
    .addUniqueConstraint('gradebook_notebook_assignment_name', ['assignment_id', 'name'])
    .execute();

  for (const table of ['gradebook_grade_cell', 'gradebook_task_cell']) {
    await idColumn(db.schema.createTable(table), dialect)
      .addColumn('notebook_id', 'integer', (c) =>
        c.notNull().references(fk('gradebook_notebook')).onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('max_score', 'double precision', (c) => c.notNull())
      .addColumn('cell_type', 'text', (c) => c.notNull())
      .addUniqueConstraint(`${table}_notebook_name`, ['notebook_id', 'name'])
      .execute();
  }

  await idColumn(db.schema.createTable('gradebook_solution_cell'), dialect)
    .addColumn('notebook_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_notebook')).onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('gradebook_solution_cell_notebook_name', ['notebook_id', 'name'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_source_cell'), dialect)
    .addColumn('notebook_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_notebook')).onDelete('cascade'),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('cell_type', 'text', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('gradebook_source_cell_notebook_name', ['notebook_id', 'name'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_student'), dialect)
    .addColumn('course_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_course')).onDelete('cascade'),
    )
    .addColumn('student_id', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('lms_user_id', 'text')
    .addUniqueConstraint('gradebook_student_course_student', ['course_id', 'student_id'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_extension'), dialect)
    .addColumn('assignment_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_assignment')).onDelete('cascade'),
    )
    .addColumn('student_pk', 'integer', (c) =>
      c.notNull().references(fk('gradebook_student')).onDelete('cascade'),
    )
    .addColumn('seconds', 'double precision', (c) => c.notNull())
    .addUniqueConstraint('gradebook_extension_assignment_student', ['assignment_id', 'student_pk'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_submission'), dialect)
    .addColumn('assignment_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_assignment')).onDelete('cascade'),
    )
    .addColumn('student_pk', 'integer', (c) =>
      c.notNull().references(fk('gradebook_student')).onDelete('cascade'),
    )
    .addColumn('timestamp', 'text')
    .addUniqueConstraint('gradebook_submission_assignment_student', ['assignment_id', 'student_pk'])
    .execute();

  await idColumn(db.schema.createTable('gradebook_submitted_notebook'), dialect)
    .addColumn('submission_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_submission')).onDelete('cascade'),
    )
    .addColumn('notebook_id', 'integer', (c) =>
      c.notNull().references(fk('gradebook_notebook')).onDelete('cascade'),
    )
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('late_submission_penalty', 'double precision')
    .addUniqueConstraint('gradebook_submitted_notebook_unique', ['submission_id', 'notebook_id'])
    .execute();

  for (const table of ['gradebook_grade', 'gradebook_comment']) {
    let builder = idColumn(db.schema.createTable(table), dialect)
      .addColumn('submitted_notebook_id', 'integer', (c) =>
        c.notNull().references(fk('gradebook_submitted_notebook')).onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('cell_kind', 'text', (c) => c.notNull());
    builder =
      table === 'gradebook_grade'
        ? builder
            .addColumn('auto_score', 'double precision')
            .addColumn('manual_score', 'double precision')
            .addColumn('extra_credit', 'double precision')
            .addColumn('needs_manual_grade', 'integer', (c) => c.notNull().defaultTo(1))
        : builder.addColumn('auto_comment', 'text').addColumn('manual_comment', 'text');
    await builder.addUniqueConstraint(`${table}_notebook_name`, ['submitted_notebook_id', 'name']).execute();
  }
}

async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await db.schema.dropTable(table).ifExists().execute();
}

export const gradebookMigration: Migration = { up, down };
