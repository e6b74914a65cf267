// Moving a class's logins in from JupyterHub (issue 18, item 3), from a database the real
// JupyterHub 3.0 wrote (test/fixtures/jupyterhub/, its README says what it holds): users, the
// admin flag, groups with their members; tokens cannot move, and the report lists whose. The same
// database is read from SQLite and, copied row for row with JupyterHub's own DDL, from PostgreSQL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreServices } from '../../src/app/services.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { createTestDatabase } from '../support/postgres.js';
import { testServices } from '../support/services.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'jupyterhub', 'jupyterhub.sqlite');

let database: DatabaseHandle;
let services: CoreServices;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jupyterhub-import-'));
  database = openDatabase({ url: join(dir, 'hub.sqlite') });
  await migrateToLatest(database.db);
  services = testServices(database.db);
});
afterEach(async () => {
  await database.close();
});

async function hubUsers() {
  return (await services.users.list()).users.map((u) => [u.name, u.admin, u.groups]).sort();
}

// What the fixture's make/jupyterhub_config.py and make-jupyterhub-db.py set up; "nobody" is a
// system account's name, which this hub gives no one.
const EXPECTED_USERS = [
  ['ada', true, []],
  ['bob', false, ['course101-students']],
  ['carol', false, ['course101-students']],
  ['dave', false, ['tas']],
  ['erin', false, ['course101-students']],
];

/** The fixture copied into a PostgreSQL database: JupyterHub's DDL (SQLite's types renamed), every row. */
async function fixtureOnPostgres(): Promise<string> {
  const url = await createTestDatabase();
  const source = new SqliteDatabase(FIXTURE, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = source
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
      .all() as {
      name: string;
      sql: string;
    }[];
    for (const { name, sql } of tables) {
      await client.query(sql.replaceAll('DATETIME', 'TIMESTAMP').replaceAll('BLOB', 'BYTEA'));
      const booleans = new Set([...sql.matchAll(/^\s*(\w+) BOOLEAN/gm)].map((m) => m[1]!));
      for (const row of source.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        const columns = Object.keys(row);
        const values = columns.map((c) => (booleans.has(c) && row[c] !== null ? row[c] === 1 : row[c]));
        await client.query(
          `INSERT INTO "${name}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          values,
        );
      }
    }
  } finally {
    source.close();
    await client.end();
  }
  return url;
}

describe('users import-jupyterhub', () => {
  it('brings users, the admin flag and groups from the SQLite database JupyterHub wrote', async () => {
    const report = await services.jupyterhubImport.run(FIXTURE);
    expect(report.revision).toBe('651f5419b74d');
    expect(await hubUsers()).toEqual(EXPECTED_USERS);
    expect(report.skipped.map((s) => s.name)).toEqual(['nobody']);
    expect(report.skipped[0]!.reason).toMatch(/system account/);
    expect((await services.users.listGroups()).groups.map((g) => [g.name, g.users])).toEqual(
      expect.arrayContaining([
        ['course101-students', ['bob', 'carol', 'erin']],
        ['tas', ['dave']],
        ['empty-group', []],
      ]),
    );
  });

  it('says tokens cannot move and lists whose must be made again', async () => {
    const report = await services.jupyterhubImport.run(FIXTURE);
    const notes = Object.fromEntries(
      Object.entries(report.tokensToRemake).map(([user, tokens]) => [user, tokens.map((t) => t.note).sort()]),
    );
    expect(notes).toEqual({ ada: ['from config'], bob: ['grading script', 'laptop'], carol: ['vscode'] });
    expect(await services.tokens.list('bob')).toEqual([]); // nothing was made in their name
  });

  it('reads the same from PostgreSQL (a postgresql:// URL)', async () => {
    const url = await fixtureOnPostgres();
    const report = await services.jupyterhubImport.run(url);
    expect(report.revision).toBe('651f5419b74d');
    expect(await hubUsers()).toEqual(EXPECTED_USERS);
    expect(Object.keys(report.tokensToRemake).sort()).toEqual(['ada', 'bob', 'carol']);
  });

  it('a second run changes nothing; a coursehub admin stays admin; an existing user is made admin', async () => {
    await services.users.create({ name: 'ada', admin: false });
    await services.users.create({ name: 'bob', admin: true });
    const first = await services.jupyterhubImport.run(FIXTURE);
    expect(first.madeAdmin).toEqual(['ada']);
    const after = await hubUsers();
    expect(after.find((u) => u[0] === 'bob')![1]).toBe(true);
    const second = await services.jupyterhubImport.run(FIXTURE);
    expect([second.created, second.madeAdmin, second.groupsCreated, second.membersAdded]).toEqual([
      [],
      [],
      [],
      {},
    ]);
    expect(await hubUsers()).toEqual(after);
  });

  it('--dry-run changes nothing', async () => {
    const report = await services.jupyterhubImport.run(FIXTURE, { dryRun: true });
    expect(report.created.sort()).toEqual(['ada', 'bob', 'carol', 'dave', 'erin']);
    expect(await services.users.count()).toBe(0);
    expect((await services.users.listGroups()).total).toBe(0);
  });

  it('refuses what is not a JupyterHub database, adding nobody', async () => {
    const notHub = join(mkdtempSync(join(tmpdir(), 'not-hub-')), 'x.sqlite');
    new SqliteDatabase(notHub).exec('CREATE TABLE student (id TEXT)').close();
    await expect(services.jupyterhubImport.run(notHub)).rejects.toThrow(
      /no users table: it is not a JupyterHub database/,
    );
    const garbage = join(mkdtempSync(join(tmpdir(), 'not-hub-')), 'y.sqlite');
    writeFileSync(garbage, 'not a database at all\n'.repeat(300));
    await expect(services.jupyterhubImport.run(garbage)).rejects.toThrow(/cannot be read/);
    await expect(services.jupyterhubImport.run('/nonexistent/jupyterhub.sqlite')).rejects.toThrow(
      /no JupyterHub database at/,
    );
    expect(await services.users.count()).toBe(0);
  });
});
