// `coursehub backup` of a running hub (users, two courses — one kept in the data directory, one
// elsewhere —, a release, a fetch, a submission, users' homes) and `coursehub restore` of it on an
// "empty machine": the Unix accounts, course groups, homes and course directory gone, a new data
// directory and database. Rows and files (sha256, owner by name, mode) must come back as they were.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import { stopProxy } from '../../src/hub/proxy/lifecycle.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { startRealHub, type RealHub } from '../support/hub.js';
import { createTestDatabase } from '../support/postgres.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const INSTRUCTOR = 'chbk_inst';
const STUDENT = 'chbk_amy';
const COURSE = 'chbk101';
const OTHER_COURSE = 'chbk202';
/** The rows compared: people, courses and roles, the exchange's records, the gradebook's students. */
const TABLES = [
  'users',
  'courses',
  'course_roles',
  'exchange_releases',
  'exchange_fetches',
  'exchange_submissions',
  'gradebook_course',
  'gradebook_assignment',
  'gradebook_student',
] as const satisfies readonly (keyof Database)[];

function coursehub(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
    timeout: 120_000,
  });
}

const nameOf = (kind: 'passwd' | 'group', id: number) =>
  execFileSync('getent', [kind, String(id)], { encoding: 'utf8' }).split(':')[0];

/** Every entry below `root`: sha256 of files, owner and group by name, mode. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    const path = join(root, relative);
    const info = lstatSync(path);
    const who = `${nameOf('passwd', info.uid)}:${nameOf('group', info.gid)} ${(info.mode & 0o7777).toString(8)}`;
    if (info.isDirectory()) {
      out[`${relative}/`] = who;
      for (const name of readdirSync(path)) walk(relative ? `${relative}/${name}` : name);
    } else out[relative] = `${who} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  };
  walk('');
  return out;
}

async function rows(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const database = openDatabase({ url: databaseUrl });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES)
      out[table] = (await database.db.selectFrom(table).selectAll().execute())
        .map((row) => JSON.stringify(row))
        .sort();
    return out;
  } finally {
    await database.close();
  }
}

describe.each(['sqlite', 'postgresql'] as const)('coursehub backup and restore (%s)', (kind) => {
  let root: string;
  let homes: string;
  let otherCourseDir: string;
  let hub: RealHub;
  let backupFile: string;
  let hubDatabase: string;
  let restoredDatabase: string;
  let before: {
    rows: Record<string, unknown[]>;
    homes: Record<string, string>;
    exchange: Record<string, string>;
    course: Record<string, string>;
    other: Record<string, string>;
    courseDir: string;
  };

  const cleanMachine = () => {
    for (const name of [INSTRUCTOR, STUDENT]) removeUnixAccount(name);
  };

  beforeAll(async () => {
    cleanMachine();
    root = mkdtempSync(join(tmpdir(), 'coursehub-backup-'));
    chmodSync(root, 0o755);
    homes = join(root, 'homes');
    mkdirSync(homes, { mode: 0o755 });
    otherCourseDir = join(root, 'elsewhere', OTHER_COURSE);
    const dbUrl = kind === 'postgresql' ? await createTestDatabase() : undefined;
    hub = await startRealHub({
      ...(dbUrl ? { dbUrl } : {}),
      config: { auth: { authenticator: 'dummy' }, spawner: { local: { homeRoot: homes } } },
    });
    hubDatabase = dbUrl ?? join(hub.dataDir, 'coursehub.sqlite');
    const { services } = hub.hub;
    await services.users.create({ name: INSTRUCTOR, admin: true });
    await services.users.create({ name: STUDENT });
    const course = await services.courses.create({ id: COURSE, title: 'Backups 101' });
    cpSync(join(REPO, 'examples/sample-course/source'), join(course.directory, 'source'), {
      recursive: true,
    });
    await services.courses.create({ id: OTHER_COURSE, directory: otherCourseDir });
    writeFileSync(join(otherCourseDir, 'source', 'notes.md'), '# kept elsewhere\n');
    await services.courses.enroll(COURSE, [
      { name: INSTRUCTOR, role: 'instructor' },
      { name: STUDENT, role: 'student' },
    ]);
    await services.exchange.release(COURSE, 'hello', { name: INSTRUCTOR });
    await services.exchange.fetch(COURSE, 'hello', { name: STUDENT });
    const storage = services.userStorage(STUDENT);
    await storage.writeFile(`${COURSE}/hello/answer.txt`, 'forty-two\n');
    await storage.writeFile('scripts/run.sh', '#!/bin/sh\necho hi\n');
    await storage.unpackFolder(
      'bin',
      [{ path: 'tool', data: Buffer.from('#!/bin/sh\n'), executable: true }],
      {
        keepExisting: false,
      },
    );
    await services.exchange.submit(COURSE, 'hello', { name: STUDENT });
    before = {
      rows: await rows(hubDatabase),
      homes: tree(homes),
      exchange: tree(join(hub.dataDir, 'exchange')),
      course: tree(course.directory),
      other: tree(otherCourseDir),
      courseDir: course.directory,
    };
    expect(Object.keys(before.exchange).some((path) => path.includes(STUDENT))).toBe(true);
    backupFile = join(root, 'backup.tar.gz');
  }, 180_000);

  afterAll(async () => {
    await hub?.stop().catch(() => undefined);
    cleanMachine();
    for (const id of [COURSE, OTHER_COURSE]) await removeCourseGroup(id).catch(() => false);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('backs up the running hub into one archive, mode 600', () => {
    const run = coursehub('backup', backupFile, '--config', hub.configFile);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`backup written to ${backupFile}`);
    expect(lstatSync(backupFile).mode & 0o777).toBe(0o600);
    const listing = execFileSync('tar', ['-tzf', backupFile], { encoding: 'utf8' });
    for (const part of [
      './coursehub-backup.json',
      kind === 'postgresql' ? './database/postgres.dump' : './database/coursehub.sqlite',
      './data.tar',
      `./homes/${STUDENT}.tar`,
      `./courses/${OTHER_COURSE}.tar`,
    ])
      expect(listing.split('\n')).toContain(part);
  }, 120_000);

  it('restores on an empty machine: rows, homes, submissions and course directories as they were', async () => {
    await hub.stop();
    await stopProxy(hub.dataDir);
    // The empty machine: no accounts, no course groups, no homes, no course directory, and a new
    // data directory (so a new SQLite database).
    cleanMachine();
    for (const id of [COURSE, OTHER_COURSE]) await removeCourseGroup(id);
    rmSync(homes, { recursive: true, force: true });
    mkdirSync(homes, { mode: 0o755 });
    rmSync(join(root, 'elsewhere'), { recursive: true, force: true });
    const newDataDir = join(root, 'new-data');
    restoredDatabase =
      kind === 'postgresql' ? await createTestDatabase() : join(newDataDir, 'coursehub.sqlite');
    const config = join(root, 'restored.json');
    writeFileSync(
      config,
      JSON.stringify({
        hub: { dataDir: newDataDir },
        ...(kind === 'postgresql' ? { db: { url: restoredDatabase } } : {}),
        spawner: { local: { homeRoot: homes } },
        log: { level: 'warn' },
      }),
    );

    const run = coursehub('restore', backupFile, '--config', config);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);

    const after = await rows(restoredDatabase);
    // The course kept in the data directory follows it to the new one; nothing else changes.
    const newCourseDir = join(newDataDir, 'courses', COURSE);
    const expected = structuredClone(before.rows);
    expected.courses = expected
      .courses!.map((text) =>
        (text as string).replace(JSON.stringify(before.courseDir), JSON.stringify(newCourseDir)),
      )
      .sort();
    expect(after).toEqual(expected);
    expect(tree(homes)).toEqual(before.homes);
    expect(tree(join(newDataDir, 'exchange'))).toEqual(before.exchange);
    expect(tree(newCourseDir)).toEqual(before.course);
    expect(tree(otherCourseDir)).toEqual(before.other);
    expect(before.course['/']).toMatch(new RegExp(`^root:\\S*${COURSE}\\S* 2770$`));
  }, 180_000);

  it('refuses to restore over an install with data, unless --force', () => {
    const config = join(root, 'restored.json');
    const refused = coursehub('restore', backupFile, '--config', config);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('Refusing to restore over an install that has data');
    expect(refused.stderr).toContain('--force');
    expect(existsSync(join(root, 'new-data', 'exchange'))).toBe(true);
  }, 120_000);
});
