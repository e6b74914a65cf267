// Bad input to the nbgrader commands, replayed as a user types it (issue 17, items 1-3): each is
// refused with one message that names the file, line, cell or key and says what to do, a non-zero
// exit, no stack trace, and the course's files and gradebook rows exactly as they were.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { submit } from '../gradebook/support/tiny-course.js';
import {
  coursehub,
  newCourse,
  SANDBOX_FLAGS,
  scratchDir,
  snapshotCourse,
  snapshotFiles,
  STACK_LINE,
} from './support/cli.js';

const nbgrader = (courseDir: string, ...args: string[]) =>
  coursehub(['nbgrader', ...args, '--course-dir', courseDir]);

/** A course with ps1 generated and recorded, as `generate_assignment` leaves it. */
function generatedCourse(config = ''): string {
  const dir = newCourse(config);
  const run = nbgrader(dir, 'generate_assignment', 'ps1');
  expect(run.code, run.stderr).toBe(0);
  return dir;
}

/** The refusal every replay expects: exit 1, one message, no stack. */
function expectRefusal(run: { code: number | null; stderr: string }, ...named: RegExp[]) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).toMatch(/^coursehub: /);
  for (const pattern of named) expect(run.stderr).toMatch(pattern);
}

describe('nbgrader commands refuse bad input and change nothing', { timeout: 300_000 }, () => {
  it('validate of a notebook that does not exist names it (was: ENOENT stack trace)', () => {
    const dir = newCourse();
    const before = snapshotCourse(dir);
    const run = coursehub(['nbgrader', 'validate', 'nosuch.ipynb', ...SANDBOX_FLAGS], { cwd: dir });
    expectRefusal(run, /nosuch\.ipynb/, /does not exist/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('db student import of a CSV with an unterminated quote names the file and line (was: CsvError stack)', () => {
    const dir = generatedCourse();
    const csv = join(dir, 'students.csv');
    writeFileSync(csv, 'id,first_name\nada,Ada\nbob,"Bob\n');
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'db', 'student', 'import', csv);
    expectRefusal(run, /students\.csv:3/, /quote/i);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('db student import of a Latin-1 CSV names the line (was: names stored with U+FFFD)', () => {
    const dir = generatedCourse();
    const csv = join(dir, 'students.csv');
    writeFileSync(csv, Buffer.from('id,first_name\nada,Ada\nzoe,Zo\xe9\n', 'latin1'));
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'db', 'student', 'import', csv);
    expectRefusal(run, /students\.csv:3/, /UTF-8/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('export --to a folder says it is a folder and leaves no .partial file (was: EISDIR stack)', () => {
    const dir = generatedCourse();
    mkdirSync(join(dir, 'out'));
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'export', '--to', join(dir, 'out'));
    expectRefusal(run, /out/, /is a folder/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it("autograde of a submission whose file takes the path of the source's folder names both (was: EEXIST)", () => {
    const dir = newCourse();
    mkdirSync(join(dir, 'source/ps1/data'));
    writeFileSync(join(dir, 'source/ps1/data/x.csv'), '1\n');
    expect(nbgrader(dir, 'generate_assignment', 'ps1').code).toBe(0);
    submit(dir, 'ada', 'a = 1');
    writeFileSync(join(dir, 'submitted/ada/ps1/data'), 'my own file\n');
    const run = nbgrader(dir, 'autograde', 'ps1', ...SANDBOX_FLAGS);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).not.toMatch(/EEXIST/);
    expect(run.stderr).toMatch(/submitted\/ada\/ps1\/data/);
    expect(run.stderr).toMatch(/data\/x\.csv/);
    // Nothing of ada's is under autograded/ (only her empty folder, as nbgrader leaves it).
    expect(readdirSync(join(dir, 'autograded/ada'))).toEqual([]);
  });

  it('"points": NaN is a metadata error naming the notebook and cell, and nothing is written (was: half a gradebook)', () => {
    const dir = generatedCourse();
    const notebook = JSON.parse(readFileSync(join(dir, 'source/ps1/p1.ipynb'), 'utf8')) as {
      cells: Array<{ metadata: { nbgrader?: Record<string, unknown> } }>;
    };
    mkdirSync(join(dir, 'source/ps2'));
    // Python's json writes NaN for float('nan'); nbgrader reads it back.
    writeFileSync(
      join(dir, 'source/ps2/p1.ipynb'),
      JSON.stringify(notebook, null, 1).replace('"points": 1', '"points": NaN'),
    );
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'generate_assignment', 'ps2');
    expectRefusal(run, /source\/ps2\/p1\.ipynb/, /cell 3/, /test_a/, /points/, /NaN/);
    expect(run.stderr).not.toMatch(/SQLITE|constraint/i);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('generate --force on a source that fails keeps the old release (was: removed it)', () => {
    const dir = generatedCourse();
    writeFileSync(join(dir, 'source/ps1/p1.ipynb'), '{"cells": [');
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'generate_assignment', 'ps1', '--force');
    expectRefusal(run, /source\/ps1\/p1\.ipynb/, /not valid JSON/);
    expect(run.stderr).toMatch(/release\/ps1.*(kept|unchanged)/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('autograde --force on a submission that fails keeps the old result and its grades (was: removed the copy, kept stale scores)', () => {
    const dir = generatedCourse();
    submit(dir, 'ada', 'a = 1');
    const first = nbgrader(dir, 'autograde', 'ps1', ...SANDBOX_FLAGS);
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(join(dir, 'submitted/ada/ps1/p1.ipynb'), '{"cells": [');
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'autograde', 'ps1', '--force', ...SANDBOX_FLAGS);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(/submitted\/ada\/ps1\/p1\.ipynb: is not valid JSON/);
    expect(run.stderr).toMatch(/autograded\/ada\/ps1.*kept/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('an unknown LateSubmissionPlugin.penalty_method is refused before anything starts (was: a .partial folder left)', () => {
    const dir = generatedCourse("c.LateSubmissionPlugin.penalty_method = 'half'\n");
    submit(dir, 'ada', 'a = 1');
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'autograde', 'ps1', ...SANDBOX_FLAGS);
    expectRefusal(
      run,
      /LateSubmissionPlugin\.penalty_method/,
      /'half'/,
      /nbgrader_config\.py line 3/,
      /none, zero/,
    );
    expect(run.stderr).not.toMatch(/Isolation/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('a due date 2024-02-30 is refused naming the value (was: rolled to 2024-03-01)', () => {
    const dir = generatedCourse();
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'db', 'assignment', 'add', 'ps1', '--duedate', '2024-02-30 12:00:00 UTC');
    expectRefusal(run, /2024-02-30/, /February 2024 has 29 days|no day 30/);
    expect(snapshotCourse(dir)).toEqual(before);
  });

  it('a --course-dir that does not exist is refused, and nothing is created there (was: a new empty gradebook)', () => {
    const parent = scratchDir('nocourse');
    const missing = join(parent, 'typo');
    for (const args of [
      ['db', 'student', 'list'],
      ['db', 'assignment', 'add', 'ps1'],
      ['export'],
      ['generate_assignment', 'ps1'],
      ['autograde', 'ps1', ...SANDBOX_FLAGS],
    ]) {
      const run = nbgrader(missing, ...args);
      expectRefusal(run, new RegExp(`${missing}.*does not exist`));
      expect(existsSync(missing), args.join(' ')).toBe(false);
    }
    const validate = coursehub([
      'nbgrader',
      'validate',
      'x.ipynb',
      '--course-dir',
      missing,
      ...SANDBOX_FLAGS,
    ]);
    expectRefusal(validate, new RegExp(`${missing}.*does not exist`));
    expect(snapshotFiles(parent)).toEqual({});
  });

  it('a gradebook file that is not a database is named (was: SqliteError stack)', () => {
    const dir = newCourse();
    writeFileSync(join(dir, 'coursehub-gradebook.sqlite'), 'not a database\n');
    const before = snapshotFiles(dir);
    const run = nbgrader(dir, 'db', 'student', 'list');
    expectRefusal(run, /coursehub-gradebook\.sqlite/, /not a database/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it('a submission with a duplicated cell names the grade id and both cells (was: "Outdated schema version: 0")', () => {
    const dir = generatedCourse();
    submit(dir, 'ada', 'a = 1');
    const path = join(dir, 'submitted/ada/ps1/p1.ipynb');
    const notebook = JSON.parse(readFileSync(path, 'utf8')) as { cells: Array<{ id?: string }> };
    notebook.cells.splice(2, 0, { ...structuredClone(notebook.cells[1]!), id: 'copy' });
    writeFileSync(path, JSON.stringify(notebook));
    const run = nbgrader(dir, 'autograde', 'ps1', ...SANDBOX_FLAGS);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/Outdated schema version/);
    expect(run.stderr).toMatch(/grade id 'answer'/);
    expect(run.stderr).toMatch(/cells 2 and 3/);
  });
});
