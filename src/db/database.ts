import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { CoursehubError } from '../util/errors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import type { Dialect } from './schema-helpers.js';

export class DatabaseError extends CoursehubError {}

export interface OpenDatabaseOptions {
  /** `postgresql://...` (or `postgres://`) for PostgreSQL; `sqlite:///path` or a plain file path for SQLite. */
  url: string;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export function dialectForUrl(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

function sqliteFile(url: string): string {
  return url.replace(/^sqlite:\/\//, '');
}

/** Opens the database named by `url`. Does not migrate; call `migrateToLatest`. */
export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  const dialect = dialectForUrl(options.url);
  if (dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect, close: () => db.destroy() };
  }
  const file = sqliteFile(options.url);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers (the proxy, CLI commands) work while the hub writes; a busy timeout keeps
  // concurrent CLI + hub writers from failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect, close: () => db.destroy() };
}

/** Runs every pending migration, oldest first. Throws DatabaseError naming the one that failed. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new DatabaseError(
      `Database migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`,
      {
        hint: 'No later migration was applied. Fix the cause and run `coursehub db upgrade` again.',
        cause: result.error,
      },
    );
  }
  return result;
}
