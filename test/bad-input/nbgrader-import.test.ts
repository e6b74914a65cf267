// Bad gradebooks given to `coursehub course import-nbgrader` (issue 18, item 1), replayed as an
// admin types them: a damaged file, one nbgrader holds locked, one of an older schema (nbgrader
// 0.5.6's, made by the real nbgrader), one of another course. Each is refused with one message
// naming the file and the reason, exit 1, no stack, and the hub exactly as it was: every row of
// its database and every file of its data directory.
import { copyFileSync, cpSync, openSync, writeSync, closeSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { coursehub, scratchDir, snapshotFiles, STACK_LINE } from './support/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'nbgrader-gradebooks');

/** A hub data directory with one course already (so "unchanged" covers existing rows too). */
function hubWithACourse(): string {
  const dataDir = scratchDir('hub');
  const made = coursehub(['course', 'create', 'other', '--data-dir', dataDir]);
  expect(made.code, made.stderr).toBe(0);
  return dataDir;
}

function snapshotHub(dataDir: string) {
  const db = new SqliteDatabase(join(dataDir, 'coursehub.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    const rows = Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]),
    );
    return { rows, files: snapshotFiles(dataDir, { skip: /^coursehub\.sqlite/ }) };
  } finally {
    db.close();
  }
}

/** A copy of graded-095 to spoil. */
function courseCopy(): string {
  const dir = join(scratchDir('nbgrader'), 'course');
  cpSync(join(FIXTURES, 'graded-095'), dir, { recursive: true });
  return dir;
}

function importInto(dataDir: string, courseDir: string, course = 'course101') {
  return coursehub(['course', 'import-nbgrader', courseDir, '--course', course, '--data-dir', dataDir]);
}

function expectRefusedUnchanged(
  dataDir: string,
  run: ReturnType<typeof coursehub>,
  before: unknown,
  ...named: RegExp[]
) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(/^coursehub: /);
  expect(run.stderr).not.toMatch(STACK_LINE);
  for (const pattern of named) expect(run.stderr).toMatch(pattern);
  expect(snapshotHub(dataDir)).toEqual(before);
  expect(existsSync(join(dataDir, 'courses', 'course101'))).toBe(false);
}

describe('import-nbgrader refuses bad gradebooks and leaves the hub as it was', { timeout: 300_000 }, () => {
  it('a damaged gradebook.db (pages overwritten) is named damaged', () => {
    const dataDir = hubWithACourse();
    const dir = courseCopy();
    const fd = openSync(join(dir, 'gradebook.db'), 'r+');
    writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 4096 * 3); // pages 4 and 5: b-tree pages turn to noise
    closeSync(fd);
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(dataDir, importInto(dataDir, dir), before, /gradebook\.db is damaged/, /backup/);
  });

  it('a file that is no database at all is named damaged', () => {
    const dataDir = hubWithACourse();
    const dir = courseCopy();
    writeFileSync(join(dir, 'gradebook.db'), 'this is not SQLite\n'.repeat(400));
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(dataDir, importInto(dataDir, dir), before, /gradebook\.db is damaged/);
  });

  it('a gradebook nbgrader holds locked (a write in progress) is named locked', () => {
    const dataDir = hubWithACourse();
    const dir = courseCopy();
    const writer = new SqliteDatabase(join(dir, 'gradebook.db'));
    writer.exec('BEGIN EXCLUSIVE');
    try {
      const before = snapshotHub(dataDir);
      expectRefusedUnchanged(dataDir, importInto(dataDir, dir), before, /is locked/, /formgrader/);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it("nbgrader 0.5.6's gradebook (revision 724cde206c17) is refused with the revision named", () => {
    const dataDir = hubWithACourse();
    const dir = join(scratchDir('nbgrader'), 'course');
    cpSync(join(FIXTURES, 'older-0.5.6'), dir, { recursive: true });
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(
      dataDir,
      importInto(dataDir, dir),
      before,
      /revision 724cde206c17/,
      /nbgrader db upgrade/,
    );
  });

  it('a gradebook of another course than --course is refused, naming both', () => {
    const dataDir = hubWithACourse();
    const dir = courseCopy();
    writeFileSync(join(dir, 'nbgrader_config.py'), 'c = get_config()\n'); // no course_id: only the gradebook says
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(
      dataDir,
      importInto(dataDir, dir, 'course202'),
      before,
      /gradebook of the course course101, not course202/,
    );
    expect(existsSync(join(dataDir, 'courses', 'course202'))).toBe(false);
  });

  it('nbgrader_config.py of another course than --course is refused', () => {
    const dataDir = hubWithACourse();
    const dir = courseCopy();
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(
      dataDir,
      importInto(dataDir, dir, 'course202'),
      before,
      /nbgrader_config\.py is for the course course101, not course202/,
    );
  });

  it('a directory without gradebook.db says where it looked', () => {
    const dataDir = hubWithACourse();
    const dir = scratchDir('empty');
    copyFileSync(join(FIXTURES, 'graded-095', 'nbgrader_config.py'), join(dir, 'nbgrader_config.py'));
    const before = snapshotHub(dataDir);
    expectRefusedUnchanged(dataDir, importInto(dataDir, dir), before, /no gradebook at .*gradebook\.db/);
  });
});
