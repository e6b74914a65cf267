// Moving a class in from nbgrader (issue 18, item 1): the fixtures nbgrader 0.9.5 and 0.6.2 made
// (test/fixtures/nbgrader-gradebooks/) imported into a hub, checked against what nbgrader's own
// API dumped of them (dump.json) and against nbgrader's own `nbgrader export` (grades.csv).
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CoreServices } from '../../../src/app/services.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { gradesCsv } from '../../../src/gradebook/export-grades-csv.js';
import { testServices } from '../../support/services.js';
import { fieldsOfDump, fieldsOfGradebook } from './support/nbgrader-dump.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'nbgrader-gradebooks');
const GRADED = join(FIXTURES, 'graded-095');

let database: DatabaseHandle;
let services: CoreServices;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'nbgrader-import-'));
  database = openDatabase({ url: join(dataDir, 'hub.sqlite') });
  await migrateToLatest(database.db);
  services = testServices(database.db, { hub: { dataDir } });
});
afterEach(async () => {
  await database.close();
});

async function importedBook(course: string) {
  const stores = services.courseStores.gradebook;
  const id = await stores.courses.ensureCourse(course);
  return { id, book: await stores.transfer.read(id, course) };
}

describe('course import-nbgrader', () => {
  it('keeps every grade, comment, extension, flag, penalty and timestamp nbgrader dumped', async () => {
    const report = await services.nbgraderImport.run(GRADED, 'course101');
    expect(report.unchanged).toBe(false);
    const { book } = await importedBook('course101');
    const dump = JSON.parse(readFileSync(join(GRADED, 'dump.json'), 'utf8'));
    expect(fieldsOfGradebook(book)).toEqual(fieldsOfDump(dump));
  });

  it("gives nbgrader's own grades.csv: manual over auto, 0.0 counting, extra credit, late penalty", async () => {
    await services.nbgraderImport.run(GRADED, 'course101');
    const { id } = await importedBook('course101');
    expect(await gradesCsv(services.courseStores.gradebook, id)).toBe(
      readFileSync(join(GRADED, 'grades.csv'), 'utf8'),
    );
  });

  it('reads a gradebook nbgrader 0.6.2 wrote (same revision) with its own export', async () => {
    const older = join(FIXTURES, 'older-0.6.2');
    await services.nbgraderImport.run(older, 'course101');
    const { id, book } = await importedBook('course101');
    expect(fieldsOfGradebook(book)).toEqual(
      fieldsOfDump(JSON.parse(readFileSync(join(older, 'dump.json'), 'utf8'))),
    );
    expect(await gradesCsv(services.courseStores.gradebook, id)).toBe(
      readFileSync(join(older, 'grades.csv'), 'utf8'),
    );
  });

  it('makes the course, its files, hub users and student roles; a student id no user can have keeps its grades', async () => {
    const report = await services.nbgraderImport.run(GRADED, 'course101');
    expect(report.newUsers.sort()).toEqual(['bitdiddle', 'carol', 'hacker', 'ulysses', 'walter']);
    expect(report.withoutUser.map((s) => s.id)).toEqual(['nobody']); // a system account's name
    const members = await services.courses.members('course101');
    expect(members.map((m) => [m.userName, m.role]).sort()).toEqual(
      ['bitdiddle', 'carol', 'hacker', 'ulysses', 'walter'].map((n) => [n, 'student']),
    );
    const course = await services.courses.require('course101');
    expect(course.directory).toBe(join(dataDir, 'courses', 'course101'));
    for (const path of [
      'source/ps1/problem1.ipynb',
      'submitted/walter/ps1/timestamp.txt',
      'feedback/carol/ps1/problem2.html',
      'nbgrader_config.py',
    ])
      expect(readFileSync(join(course.directory, path))).toEqual(readFileSync(join(GRADED, path)));
    expect(existsSync(join(course.directory, 'gradebook.db'))).toBe(false); // the grades are in the hub's database
    expect(readdirSync(join(dataDir, 'courses'))).toEqual(['course101']); // no staged folder left
  });

  it('--dry-run says what it would do and changes nothing; a second run changes nothing', async () => {
    const dry = await services.nbgraderImport.run(GRADED, 'course101', { dryRun: true });
    expect(dry.counts).toMatchObject({
      assignments: 2,
      students: 6,
      submissions: 5,
      extensions: 2,
      flagged: 1,
    });
    expect(await services.courses.find('course101')).toBeUndefined();
    expect(await services.users.count()).toBe(0);
    expect(existsSync(join(dataDir, 'courses'))).toBe(false);

    await services.nbgraderImport.run(GRADED, 'course101');
    const before = await importedBook('course101');
    const users = await services.users.count();
    const again = await services.nbgraderImport.run(GRADED, 'course101');
    expect(again.unchanged).toBe(true);
    expect(await importedBook('course101')).toEqual(before);
    expect(await services.users.count()).toBe(users);
  });

  it('refuses a course of that id holding another gradebook', async () => {
    await services.courses.create({ id: 'course101' });
    await expect(services.nbgraderImport.run(GRADED, 'course101')).rejects.toThrow(
      /exists already and holds another gradebook/,
    );
  });
});

describe('course import-nbgrader failing halfway', () => {
  it('leaves no course, gradebook row, user or file behind (one transaction, the folder renamed last)', async () => {
    const { GradebookTransferStore } = await import('../../../src/db/stores/gradebook-transfer.js');
    const write = GradebookTransferStore.prototype.write;
    const spy = vi.spyOn(GradebookTransferStore.prototype, 'write').mockImplementation(async function (
      this: InstanceType<typeof GradebookTransferStore>,
      ...args: Parameters<typeof write>
    ) {
      await write.apply(this, args); // every row written, then the disk fills up
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    try {
      await expect(services.nbgraderImport.run(GRADED, 'course101')).rejects.toThrow(/disk is full/);
    } finally {
      spy.mockRestore();
    }
    expect(await services.courses.find('course101')).toBeUndefined();
    expect(await services.courseStores.gradebook.courses.countCourses()).toBe(0);
    expect(await services.users.count()).toBe(0);
    expect(existsSync(join(dataDir, 'courses')) ? readdirSync(join(dataDir, 'courses')) : []).toEqual([]);
  });
});
