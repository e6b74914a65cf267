import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerUsersCommand } from '../../src/cli/users.js';
import { registerDbCommand } from '../../src/cli/db.js';
import { connectDatabase } from '../../src/db/database.js';
import { createHubStores } from '../../src/db/stores/hub-stores.js';
import { UserService } from '../../src/hub/users/user-service.js';
import { createTestDatabase } from '../support/postgres.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'coursehub-cli-users-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, rows: string): string {
  const file = join(dir, name);
  writeFileSync(file, `id,first_name,last_name,email\n${rows}`);
  return file;
}

/** Runs `coursehub ARGS` in this process (the same command modules the CLI registers). */
async function coursehub(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerUsersCommand(program);
  registerDbCommand(program);
  await program.parseAsync(['node', 'coursehub', ...args]);
  return printed.splice(0).join('\n');
}

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
});
afterEach(() => vi.restoreAllMocks());

async function namesIn(dataDir: string): Promise<Array<[string, boolean]>> {
  const handle = await connectDatabase({ url: join(dataDir, 'coursehub.sqlite') });
  try {
    return (await new UserService(createHubStores(handle.db)).list()).users.map((u) => [u.name, u.admin]);
  } finally {
    await handle.close();
  }
}

describe('coursehub users import', () => {
  const dataDir = join(dir, 'data');

  it('imports instructors as admins and students, then re-imports idempotently', async () => {
    const instructors = csv('instructors.csv', 'prof,Pat,Prof,pat@example.org\n');
    const students = csv('students.csv', 'amy,Amy,Pond,\nrory,Rory,Williams,\n');
    const first = await coursehub(
      'users',
      'import',
      '--instructors',
      instructors,
      '--students',
      students,
      '--data-dir',
      dataDir,
    );
    expect(first).toContain('created: 3 (prof, amy, rory)');
    expect(await namesIn(dataDir)).toEqual([
      ['amy', false],
      ['prof', true],
      ['rory', false],
    ]);
    const again = await coursehub('users', 'import', '--students', students, '--data-dir', dataDir);
    expect(again).toContain('created: 0');
    expect(again).toContain('unchanged: 2');
  });

  it('with --prune says whom it removed', async () => {
    const students = csv('students2.csv', 'amy,Amy,Pond,\n');
    const output = await coursehub(
      'users',
      'import',
      '--students',
      students,
      '--prune',
      '--yes', // 1 of 2 students is more than a tenth (test/bad-input/hub-roster.test.ts)
      '--data-dir',
      dataDir,
    );
    expect(output).toContain('removed: 1 (rory)');
    expect((await namesIn(dataDir)).map(([name]) => name)).toEqual(['amy', 'prof']);
  });

  it('asks for a file when given none', async () => {
    await expect(coursehub('users', 'import', '--data-dir', dataDir)).rejects.toThrow(/Nothing to import/);
  });

  it('exits 1 on a bad file, printing file, line and reason, and applies nothing', async () => {
    const bad = csv('bad.csv', 'clara,Clara,Oswald,\n../root,Evil,Row,\n');
    const child = spawn(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        join(ROOT, 'src/cli/main.ts'),
        'users',
        'import',
        '--students',
        bad,
        '--data-dir',
        dataDir,
      ],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    expect(code).toBe(1);
    expect(stderr).toContain(`${bad}:3: invalid username: "../root" contains "/" or ".."`);
    expect((await namesIn(dataDir)).map(([name]) => name)).toEqual(['amy', 'prof']);
  }, 120_000);
});

describe('coursehub db upgrade', () => {
  it('applies the migrations once, then reports the database up to date', async () => {
    const dataDir = join(dir, 'fresh');
    mkdirSync(dataDir); // db upgrade never makes a data directory (start and users import do)
    expect(await coursehub('db', 'upgrade', '--data-dir', dataDir)).toMatch(/^applied: 0001_users_groups/);
    expect(await coursehub('db', 'upgrade', '--data-dir', dataDir)).toBe('the database is up to date');
  });

  it('reads the database URL from the config file', async () => {
    const config = join(dir, 'pg.yaml');
    const url = await createTestDatabase();
    mkdirSync(join(dir, 'pgdata'));
    writeFileSync(config, `db:\n  url: ${url}\nhub:\n  dataDir: ${join(dir, 'pgdata')}\n`);
    expect(await coursehub('db', 'upgrade', '--config', config)).toMatch(/^applied: 0001_users_groups/);
    const handle = await connectDatabase({ url });
    try {
      expect(await new UserService(createHubStores(handle.db)).count()).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
