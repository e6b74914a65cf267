import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosterFileError } from '../../src/hub/users/roster-csv.js';
import type { RosterFiles, RosterImportReport } from '../../src/hub/users/roster-import.js';
import type { SessionStore } from '../../src/hub/auth/session-store.js';
import type { UserService } from '../../src/hub/users/user-service.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.js';
import { testServices } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'id,first_name,last_name,email\n';
let counter = 0;
function csv(rows: string): string {
  const file = join(dir, `f${counter++}.csv`);
  writeFileSync(file, HEADER + rows);
  return file;
}

describe.each(BACKENDS)('importRosters on %s', (backend) => {
  let database: TestDatabase;
  let users: UserService;
  let sessions: SessionStore;
  let importRosters: (files: RosterFiles) => Promise<RosterImportReport>;
  const snapshot = async () =>
    (await users.list()).users.map((u) => ({
      name: u.name,
      admin: u.admin,
      first: u.firstName,
      last: u.lastName,
    }));

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    const services = testServices(database.db);
    ({ users, sessions } = services);
    importRosters = (files) => services.rosters.importFiles(files);
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('makes instructors admins and students allowed users, keeping names and emails', async () => {
    const report = await importRosters({
      instructors: csv('prof,Pat,Prof,pat@example.org\n'),
      students: csv('amy,Amy,Pond,amy@example.org\nrory,Rory,Williams,\n'),
    });
    expect(report).toEqual({ created: ['prof', 'amy', 'rory'], updated: [], unchanged: [], removed: [] });
    expect(await snapshot()).toEqual([
      { name: 'amy', admin: false, first: 'Amy', last: 'Pond' },
      { name: 'prof', admin: true, first: 'Pat', last: 'Prof' },
      { name: 'rory', admin: false, first: 'Rory', last: 'Williams' },
    ]);
    expect((await users.require('amy')).email).toBe('amy@example.org');
    expect(await users.isAllowed('rory')).toBe(true);
  });

  it('is idempotent: a re-import updates names, adds new users and removes nobody', async () => {
    await users.create({ name: 'handmade' });
    const again = await importRosters({
      instructors: csv('prof,Pat,Prof,pat@example.org\n'),
      students: csv('amy,Amelia,Pond,amy@example.org\nclara,Clara,Oswald,\n'),
    });
    expect(again).toEqual({ created: ['clara'], updated: ['amy'], unchanged: ['prof'], removed: [] });
    const names = (await snapshot()).map((u) => u.name);
    expect(names).toEqual(['amy', 'clara', 'handmade', 'prof', 'rory']);
    expect((await users.require('amy')).firstName).toBe('Amelia');
  });

  it('with prune, removes roster users no longer listed and says whom, but never hand-made users', async () => {
    // Pruning removes a user the one way (src/hub/users/user-removal.ts): their sessions end too.
    await sessions.create('rory');
    const told: string[] = [];
    const unsubscribe = sessions.onRevoke((event) => void told.push(event.userName));
    const report = await importRosters({
      instructors: csv('prof,Pat,Prof,pat@example.org\n'),
      students: csv('amy,Amelia,Pond,amy@example.org\nclara,Clara,Oswald,\n'),
      prune: true,
      // 1 of 3 students is more than a tenth: confirmed (test/bad-input/hub-roster.test.ts
      // shows the refusal without it).
      confirmLargePrune: true,
    });
    unsubscribe();
    expect(report.removed).toEqual(['rory']);
    expect(told).toEqual(['rory']);
    expect((await snapshot()).map((u) => u.name)).toEqual(['amy', 'clara', 'handmade', 'prof']);
  });

  it('prunes only the roster whose file was given', async () => {
    const report = await importRosters({
      students: csv('amy,Amelia,Pond,\n'),
      prune: true,
      confirmLargePrune: true,
    });
    expect(report.removed).toEqual(['clara']);
    expect(await users.get('prof')).toBeDefined();
  });

  it('demotes an instructor moved to the students file', async () => {
    await importRosters({ students: csv('amy,Amelia,Pond,\nprof,Pat,Prof,\n') });
    expect((await users.require('prof')).admin).toBe(false);
  });

  it('applies nothing when either file has a bad row', async () => {
    const before = await snapshot();
    const bad = csv('newbie,New,Bie,\nnewbie,Dup,Licate,\n');
    const error = await importRosters({
      instructors: csv('prof,Pat,Prof,\nnewprof,New,Prof,\n'),
      students: bad,
      prune: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterFileError);
    expect((error as Error).message).toContain(`${bad}:3: duplicate id newbie`);
    expect(await snapshot()).toEqual(before);
  });
});
