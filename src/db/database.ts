import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely';
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

export interface ConnectOptions extends OpenDatabaseOptions {
  /** How many times to retry an unreachable PostgreSQL before giving up (default 5). */
  retries?: number;
  /** First wait between attempts, doubled each time (default 500 ms). */
  initialDelayMs?: number;
  /** Called before each retry, so the caller can log it. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

// Errors that mean "the server is not there (yet)": worth waiting for, as a database container
// started next to the hub often needs a few seconds. Anything else (wrong password, no such
// database) will not fix itself, so it fails at once.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  '57P03',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** host:port of a PostgreSQL URL, for messages (never the password). */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable database URL)';
  }
}

/**
 * Opens the database and checks that it answers. PostgreSQL that cannot be reached is retried
 * with exponential backoff; after the last attempt a DatabaseError names the server and says what
 * to check. SQLite needs no retries (it is a file).
 */
export async function connectDatabase(options: ConnectOptions): Promise<DatabaseHandle> {
  const handle = openDatabase(options);
  const retries = handle.dialect === 'postgres' ? (options.retries ?? 5) : 0;
  let delay = options.initialDelayMs ?? 500;
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`select 1`.execute(handle.db);
      return handle;
    } catch (error) {
      const transient = TRANSIENT_CODES.has(errorCode(error) ?? '');
      if (transient && attempt < retries) {
        options.onRetry?.(attempt + 1, delay, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        continue;
      }
      // The connection error below is the one to report; a failure to close the handle that never
      // connected adds nothing to it.
      await handle.close().catch(() => {});
      throw connectionError(options.url, handle.dialect, error, transient ? attempt + 1 : 1);
    }
  }
}

function connectionError(url: string, dialect: Dialect, error: unknown, attempts: number): DatabaseError {
  const reason = error instanceof Error ? error.message : String(error);
  if (dialect === 'sqlite') {
    return new DatabaseError(`Cannot open the SQLite database ${sqliteFile(url)}: ${reason}`, {
      hint: 'Check that the data directory exists and is writable by the user running coursehub.',
      cause: error,
    });
  }
  const where = describePostgresUrl(url);
  const code = errorCode(error);
  const hint =
    code === '28P01' || code === '28000'
      ? 'PostgreSQL refused the user name or password: check db.url (or POSTGRES_USER/POSTGRES_PASSWORD).'
      : code === '3D000'
        ? 'The database does not exist: create it (createdb) or fix the name in db.url (or POSTGRES_DB).'
        : 'Check that PostgreSQL is running, listens on that host and port (listen_addresses, port), ' +
          'and that a firewall does not block it; then fix db.url (or DATABASE_URL / POSTGRES_HOST).';
  return new DatabaseError(
    `Cannot connect to PostgreSQL at ${where} (${attempts} attempt${attempts === 1 ? '' : 's'}): ${reason}`,
    { hint, cause: error },
  );
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
