import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRosterFile, RosterFileError } from '../../src/hub/users/roster-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-roster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function csv(content: string | Buffer): string {
  const file = join(dir, `roster-${counter++}.csv`);
  writeFileSync(file, content);
  return file;
}

function refusal(file: string): RosterFileError {
  try {
    readRosterFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(RosterFileError);
    return error as RosterFileError;
  }
  throw new Error(`${file} was accepted`);
}

describe('readRosterFile', () => {
  it("reads the seed's format, skipping blank and # lines, with CRLF and a BOM", () => {
    const file = csv(
      '\uFEFFid,first_name,last_name,email\r\n\r\n# instructors of section A\r\n' +
        'JDoe ,Jane,Doe,jane@example.org\r\n   \r\nbob,"Bob, Jr.",,\r\nzoe-fan,Zoë,Ünal,zoe@example.org\r\n',
    );
    expect(readRosterFile(file)).toEqual([
      { name: 'jdoe', firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org', line: 4 },
      { name: 'bob', firstName: 'Bob, Jr.', lastName: null, email: null, line: 6 },
      { name: 'zoe-fan', firstName: 'Zoë', lastName: 'Ünal', email: 'zoe@example.org', line: 7 },
    ]);
  });

  it('accepts the columns in another order and a # inside a field', () => {
    const file = csv('email,id,last_name,first_name\nx@y.org,amy,Pond,Amy #1\n');
    expect(readRosterFile(file)).toEqual([
      { name: 'amy', firstName: 'Amy #1', lastName: 'Pond', email: 'x@y.org', line: 2 },
    ]);
  });

  it('refuses a header without a required column', () => {
    const file = csv('id,first_name,email\njdoe,Jane,j@x.org\n');
    expect(refusal(file).message).toContain(`${file}:1: the header lacks the column last_name`);
  });

  it('refuses a row with a missing column, with file and line', () => {
    const file = csv('id,first_name,last_name,email\njdoe,Jane,Doe,j@x.org\n\nbob,Bob\n');
    const error = refusal(file);
    expect(error.message).toContain(`${file}:4: missing columns last_name, email`);
    expect(error.message).toContain('nothing in it was applied');
  });

  it('refuses a missing id and a duplicate id (after normalization), naming both lines', () => {
    const file = csv('id,first_name,last_name,email\njdoe,Jane,Doe,\n,No,Id,\nJDOE,Jane,Again,\n');
    const error = refusal(file);
    expect(error.message).toContain(`${file}:3: missing id`);
    expect(error.message).toContain(`${file}:4: duplicate id jdoe (first on line 2)`);
  });

  it.each([
    ['../etc', 'contains "/" or ".."'],
    ['jane doe', 'contains a space'],
    ['1abc', 'must start with a lowercase letter'],
  ])('refuses the invalid username %j with the reason', (id, reason) => {
    const file = csv(`id,first_name,last_name,email\nok,A,B,\n${id},C,D,\n`);
    const error = refusal(file);
    expect(error.message).toContain(`${file}:3: invalid username:`);
    expect(error.message).toContain(reason);
    expect(error.hint).toMatch(/lowercase letter or "_" first/);
  });

  it('refuses a file that is not UTF-8, naming the line', () => {
    const latin1 = Buffer.concat([
      Buffer.from('id,first_name,last_name,email\njdoe,Jane,Doe,\nzoe,Zo'),
      Buffer.from([0xeb]), // "ë" in Latin-1: not valid UTF-8
      Buffer.from(',Smith,\n'),
    ]);
    const file = csv(latin1);
    expect(refusal(file).message).toContain(`${file}:3: not valid UTF-8`);
  });

  it('refuses an empty file and an unreadable path', () => {
    expect(refusal(csv('# only a comment\n\n')).message).toMatch(/the file is empty/);
    expect(refusal(join(dir, 'nope.csv')).message).toMatch(/Cannot read the roster file/);
  });
});
