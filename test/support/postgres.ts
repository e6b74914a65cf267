/**
 * A real PostgreSQL for the tests. test/global-setup.ts starts one server per test run (Debian's
 * PostgreSQL 15 binaries, `initdb` into a temp dir, loopback only, its own port and socket dir, so
 * the cluster Debian's package starts on 5432 is neither needed nor touched) and provides its admin
 * URL; each test file calls `createTestDatabase()` for a database of its own.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test server's `postgres` database, as its superuser. */
    postgresAdminUrl: string;
  }
}

const run = promisify(execFile);

/** Debian's server binaries (newest installed major version), or COURSEHUB_TEST_PG_BIN. */
function postgresBinDir(): string {
  if (process.env.COURSEHUB_TEST_PG_BIN) return process.env.COURSEHUB_TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error(
      'No PostgreSQL server found under /usr/lib/postgresql: run `bash scripts/setup` (it installs postgresql).',
    );
  }
  return join(root, versions[0], 'bin');
}

export interface RunningPostgres {
  adminUrl: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback (the OS picks it; we release it for PostgreSQL to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root: as root, run the server binaries as the `postgres` account. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0;
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function runAsServerUser(binary: string, args: string[]): Promise<void> {
  const [command, finalArgs] = asServerUser(join(postgresBinDir(), binary), args);
  try {
    await run(command, finalArgs, { cwd: tmpdir() });
  } catch (error) {
    const detail = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(
      `${binary} ${args.join(' ')} failed: ${detail.message}\n${detail.stdout ?? ''}${detail.stderr ?? ''}`,
    );
  }
}

export async function startPostgres(): Promise<RunningPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'coursehub-pg-'));
  const dataDir = join(root, 'data');
  const socketDir = root;
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  // Trust is safe here: the server listens on 127.0.0.1 and a private socket dir only, and
  // lives for one test run.
  await runAsServerUser('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const options = [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  await runAsServerUser('pg_ctl', [
    '-D',
    dataDir,
    '-l',
    join(root, 'server.log'),
    '-o',
    options,
    '-w',
    'start',
  ]);
  const adminUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
    async stop() {
      try {
        await runAsServerUser('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

/** Creates an empty database on the test server and returns its URL. */
export async function createTestDatabase(adminUrl: string = inject('postgresAdminUrl')): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
