/**
 * The hub's database copied out while the hub runs, and back into an empty one: SQLite through
 * its online backup API (better-sqlite3's `backup`, a consistent copy page by page while writers
 * go on), PostgreSQL through `pg_dump` (one snapshot transaction) and `pg_restore`. The password
 * of a PostgreSQL URL goes to those programs in PGPASSWORD, never on their command line (which
 * every user can read in `ps`).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { CoursehubError } from '../util/errors.js';
import { dialectForUrl } from './database.js';
import type { Dialect } from './schema-helpers.js';
import type { Database } from './schema.js';

/** A database could not be backed up or restored. */
export class DatabaseBackupError extends CoursehubError {}

function sqliteFile(url: string): string {
  return url.replace(/^sqlite:\/\//, '');
}

/** The URL without its password, and the password for PGPASSWORD. */
function postgresParts(url: string): { url: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { url: parsed.href, env: password ? { PGPASSWORD: password } : {} };
}

function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', (error) =>
      reject(
        new DatabaseBackupError(`${command} could not be run: ${error.message}`, {
          hint: 'Install the PostgreSQL client programs (Debian: postgresql-client), of the server major version or newer.',
          cause: error,
        }),
      ),
    );
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new DatabaseBackupError(`${command} failed (exit code ${code}): ${stderr.trim()}`)),
    );
  });
}

/** Writes a copy of the database at `url` to `file`; returns the file's kind. */
export async function backupDatabase(url: string, file: string): Promise<Dialect> {
  mkdirSync(dirname(file), { recursive: true });
  const dialect = dialectForUrl(url);
  if (dialect === 'postgres') {
    const { url: target, env } = postgresParts(url);
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, target], env);
    return dialect;
  }
  // A connection of its own, read-only: the hub's keeps writing meanwhile.
  const source = new SqliteDatabase(sqliteFile(url), { readonly: true, fileMustExist: true });
  try {
    await source.backup(file);
  } finally {
    source.close();
  }
  return dialect;
}

/** Puts the copy `file` (of `dialect`) into the database at `url`, which should be empty. */
export async function restoreDatabase(url: string, file: string, dialect: Dialect): Promise<void> {
  if (dialectForUrl(url) !== dialect)
    throw new DatabaseBackupError(
      `The backup holds a ${dialect} database, but db.url names a ${dialectForUrl(url)} one.`,
      {
        hint: 'Restore into the same kind of database (a PostgreSQL backup into db.url postgresql://..., a SQLite one without db.url).',
      },
    );
  if (dialect === 'postgres') {
    const { url: target, env } = postgresParts(url);
    await run(
      'pg_restore',
      [
        '--no-owner',
        '--no-privileges',
        '--clean',
        '--if-exists',
        '--single-transaction',
        `--dbname=${target}`,
        file,
      ],
      env,
    );
    return;
  }
  const target = sqliteFile(url);
  mkdirSync(dirname(target), { recursive: true });
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  copyFileSync(file, target);
}

/** Whether the database holds any user: a hub that was used. (No table yet: an empty one.) */
export async function databaseHasUsers(db: Kysely<Database>): Promise<boolean> {
  try {
    const row = await db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0) > 0;
  } catch {
    return false;
  }
}
