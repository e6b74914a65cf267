// Moving a class out to nbgrader (issue 18, item 2): graded-095 (made by the real nbgrader 0.9.5)
// imported, then exported; the exported gradebook.db must have nbgrader's own schema (the fixture's
// sqlite_master, table by table) and revision, and read back everything nbgrader's API dumped of
// the original (dump.json). Moved in again, it gives nbgrader's own grades.csv. (The real nbgrader
// reading the export is in the closing note of issue 18: the oracle is not available in CI.)
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreServices } from '../../../src/app/services.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { readNbgraderGradebook } from '../../../src/db/nbgrader/read-gradebook.js';
import { gradesCsv } from '../../../src/gradebook/export-grades-csv.js';
import { testServices } from '../../support/services.js';
import { fieldsOfDump, fieldsOfGradebook } from './support/nbgrader-dump.js';

const GRADED = join(import.meta.dirname, '..', '..', 'fixtures', 'nbgrader-gradebooks', 'graded-095');

const handles: DatabaseHandle[] = [];
let scratch: string;

async function hub(name: string): Promise<CoreServices> {
  const dataDir = join(scratch, name);
  const database = openDatabase({ url: join(scratch, `${name}.sqlite`) });
  handles.push(database);
  await migrateToLatest(database.db);
  return testServices(database.db, { hub: { dataDir } });
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'nbgrader-export-'));
});
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
});

function tablesOf(file: string): Record<string, string> {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
      sql: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
  } finally {
    db.close();
  }
}

describe('course export-nbgrader', () => {
  it("writes nbgrader 0.9.5's tables, constraints and alembic revision", async () => {
    const services = await hub('a');
    await services.nbgraderImport.run(GRADED, 'course101');
    const out = join(scratch, 'out');
    await services.nbgraderExport.run('course101', out);
    expect(tablesOf(join(out, 'gradebook.db'))).toEqual(tablesOf(join(GRADED, 'gradebook.db')));
    expect(readNbgraderGradebook(join(out, 'gradebook.db')).revision).toBe('e43177bfe90b');
  });

  it('keeps every grade, comment, extension, flag, penalty and timestamp of the dump nbgrader made', async () => {
    const services = await hub('a');
    await services.nbgraderImport.run(GRADED, 'course101');
    const out = join(scratch, 'out');
    const report = await services.nbgraderExport.run('course101', out);
    expect(report.counts).toMatchObject({
      grades: 45,
      comments: 35,
      manualScores: 13,
      manualComments: 3,
      extensions: 2,
    });
    const dump = JSON.parse(readFileSync(join(GRADED, 'dump.json'), 'utf8'));
    expect(fieldsOfGradebook(readNbgraderGradebook(join(out, 'gradebook.db')))).toEqual(fieldsOfDump(dump));
    for (const path of [
      'nbgrader_config.py',
      'source/ps1/problem1.ipynb',
      'autograded/walter/ps1/problem2.ipynb',
      'feedback/hacker/ps1/problem1.html',
    ])
      expect(readFileSync(join(out, path))).toEqual(readFileSync(join(GRADED, path)));
  });

  it("moved in again, the export gives nbgrader's own grades.csv", async () => {
    const first = await hub('a');
    await first.nbgraderImport.run(GRADED, 'course101');
    const out = join(scratch, 'out');
    await first.nbgraderExport.run('course101', out);
    const second = await hub('b');
    await second.nbgraderImport.run(out, 'course101');
    const id = await second.courseStores.gradebook.courses.ensureCourse('course101');
    expect(await gradesCsv(second.courseStores.gradebook, id)).toBe(
      readFileSync(join(GRADED, 'grades.csv'), 'utf8'),
    );
  });

  it('refuses a folder that exists, and a course that does not, writing nothing', async () => {
    const services = await hub('a');
    await services.nbgraderImport.run(GRADED, 'course101');
    await expect(services.nbgraderExport.run('course101', scratch)).rejects.toThrow(
      /exists already; nothing was written/,
    );
    await expect(services.nbgraderExport.run('nosuch', join(scratch, 'x'))).rejects.toThrow(
      /no course "nosuch"/,
    );
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });
});
