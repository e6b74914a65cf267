// Upgrading a database that holds data (issue 17, item 5): a database is brought to the migration
// before the latest, every table it has then is filled with rows, and the remaining migrations
// run, as `coursehub db upgrade` (or a start) does on a hub in use. Every row must come through
// unchanged, on SQLite and PostgreSQL. When a migration adds a table, the test asks for rows for
// it (SEED), so the next upgrade is tested with data in that table too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { createTestDatabase } from '../support/postgres.js';

const T0 = '2026-01-05T09:00:00.000Z';

/** Rows per table, inserted in this order (foreign keys first); ids are given so rows can be compared. */
const SEED: [table: string, rows: Record<string, unknown>[]][] = [
  [
    'users',
    [
      {
        id: 1,
        name: 'prof',
        admin: 1,
        first_name: 'Pat',
        last_name: 'Prof',
        email: 'pat@example.org',
        roster: 'instructors',
        created: T0,
        last_activity: T0,
      },
      {
        id: 2,
        name: 'amy',
        admin: 0,
        first_name: 'Amy',
        last_name: 'Pond',
        email: null,
        roster: 'students',
        created: T0,
        last_activity: null,
      },
      {
        id: 3,
        name: 'handmade',
        admin: 0,
        first_name: null,
        last_name: null,
        email: null,
        roster: null,
        created: T0,
        last_activity: null,
      },
    ],
  ],
  ['groups', [{ id: 1, name: 'ta', created: T0 }]],
  [
    'group_members',
    [
      { group_id: 1, user_id: 1 },
      { group_id: 1, user_id: 2 },
    ],
  ],
  [
    'sessions',
    [
      {
        id: 's'.repeat(43),
        user_name: 'amy',
        csrf_token: 'c'.repeat(43),
        created_at: T0,
        last_seen_at: T0,
        expires_at: '2026-01-19T09:00:00.000Z',
      },
    ],
  ],
  [
    'password_credentials',
    [{ user_name: 'prof', password_hash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', must_change: 1, updated_at: T0 }],
  ],
  [
    'api_tokens',
    [
      {
        id: 1,
        user_id: 1,
        hash: 'a'.repeat(64),
        prefix: 'abcd',
        note: 'grading script',
        scopes: '["inherit"]',
        kind: 'api',
        created: T0,
        expires_at: null,
        last_activity: T0,
      },
      {
        id: 2,
        user_id: 2,
        hash: 'b'.repeat(64),
        prefix: 'efgh',
        note: 'Server token for amy',
        scopes: '["users:activity!user=amy"]',
        kind: 'server',
        created: T0,
        expires_at: '2027-01-01T00:00:00.000Z',
        last_activity: null,
      },
    ],
  ],
  [
    'servers',
    [
      {
        id: 1,
        user_id: 2,
        name: '',
        spawner: 'local',
        state: '{"pid":4242,"port":41234}',
        url: '/user/amy/',
        pending: null,
        started: T0,
        last_activity: T0,
      },
    ],
  ],
  // The gradebook (0100): one course with an assignment, a notebook with its cells, a student
  // with an extension and a graded submission.
  ['gradebook_course', [{ id: 1, name: 'intro101' }]],
  ['gradebook_assignment', [{ id: 1, course_id: 1, name: 'ps1', duedate: '2026-02-01 17:00:00' }]],
  ['gradebook_notebook', [{ id: 1, assignment_id: 1, name: 'problem1', kernelspec: '{"name":"python3"}' }]],
  ['gradebook_grade_cell', [{ id: 1, notebook_id: 1, name: 'test1', max_score: 2, cell_type: 'code' }]],
  ['gradebook_solution_cell', [{ id: 1, notebook_id: 1, name: 'answer1' }]],
  ['gradebook_task_cell', [{ id: 1, notebook_id: 1, name: 'task1', max_score: 1, cell_type: 'markdown' }]],
  [
    'gradebook_source_cell',
    [
      {
        id: 1,
        notebook_id: 1,
        name: 'answer1',
        cell_type: 'code',
        locked: 0,
        source: 'x = 1',
        checksum: null,
        position: 0,
      },
    ],
  ],
  [
    'gradebook_student',
    [
      {
        id: 1,
        course_id: 1,
        student_id: 'amy',
        first_name: 'Amy',
        last_name: 'Pond',
        email: null,
        lms_user_id: null,
      },
    ],
  ],
  ['gradebook_extension', [{ id: 1, assignment_id: 1, student_pk: 1, seconds: 3600 }]],
  ['gradebook_submission', [{ id: 1, assignment_id: 1, student_pk: 1, timestamp: '2026-02-01 16:00:00.5' }]],
  [
    'gradebook_submitted_notebook',
    [{ id: 1, submission_id: 1, notebook_id: 1, flagged: 0, late_submission_penalty: null }],
  ],
  [
    'gradebook_grade',
    [
      {
        id: 1,
        submitted_notebook_id: 1,
        name: 'test1',
        cell_kind: 'grade',
        auto_score: 2,
        manual_score: null,
        extra_credit: null,
        needs_manual_grade: 0,
      },
    ],
  ],
  [
    'gradebook_comment',
    [
      {
        id: 1,
        submitted_notebook_id: 1,
        name: 'answer1',
        cell_kind: 'solution',
        auto_comment: null,
        manual_comment: 'Well done',
      },
    ],
  ],
  // 0200_courses_exchange: courses on the hub, roles, the exchange's rows and jobs.
  [
    'courses',
    [{ id: 1, name: 'intro101', title: 'Intro', directory: '/srv/intro101', unix_group: null, created: T0 }],
  ],
  ['course_roles', [{ course_id: 1, user_id: 2, role: 'student', created: T0 }]],
  [
    'exchange_releases',
    [
      {
        id: 1,
        course_id: 1,
        assignment: 'ps1',
        version: 1,
        folder: 'releases/1',
        checksum: 'abc',
        files: 1,
        bytes: 10,
        released_at: T0,
        released_by: 'prof',
        withdrawn_at: null,
        withdrawn_by: null,
      },
    ],
  ],
  [
    'exchange_fetches',
    [{ id: 1, course_id: 1, assignment: 'ps1', student: 'amy', release_id: 1, fetched_at: T0 }],
  ],
  [
    'exchange_submissions',
    [
      {
        id: 1,
        course_id: 1,
        assignment: 'ps1',
        student: 'amy',
        user_id: 2,
        timestamp: '2026-02-01 16:00:00.500000',
        folder: 'submissions/1',
        checksum: 'def',
        files: 1,
        bytes: 10,
        release_id: 1,
        warnings: '[]',
      },
    ],
  ],
  [
    'exchange_feedback',
    [
      {
        id: 1,
        course_id: 1,
        assignment: 'ps1',
        student: 'amy',
        timestamp: '2026-02-01 16:00:00.500000',
        folder: 'feedback/1',
        checksum: 'ghi',
        files: 1,
        released_at: T0,
        released_by: 'prof',
      },
    ],
  ],
  [
    'jobs',
    [
      {
        id: 1,
        course_id: 1,
        kind: 'autograde',
        assignment: 'ps1',
        options: '{}',
        state: 'succeeded',
        done: 1,
        total: 1,
        failed: 0,
        message: null,
        result: null,
        created_by: 'prof',
        created_at: T0,
        finished_at: T0,
      },
    ],
  ],
];

const names = Object.keys(migrations).sort();
const previous = names.at(-2)!;

const backends = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'coursehub-migrate-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return join(dir, 'hub.sqlite');
    },
  ],
  ['postgres', () => createTestDatabase()],
] as const;
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

type AnyDatabase = Kysely<Record<string, Record<string, unknown>>>;

/** The database's own tables (not the migrator's). */
async function tablesOf(db: AnyDatabase): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables
    .map((t) => t.name)
    .filter((name) => !name.startsWith('kysely_'))
    .sort();
}

async function rowsOf(db: AnyDatabase, table: string, columns: string[]) {
  const read = (await db.selectFrom(table).select(columns).execute()) as Record<string, unknown>[];
  // pg hands a bigint column (exchange_*.bytes) back as text; the stores read it with Number().
  const rows = read.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([c, v]) => [c, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
    ),
  );
  const key = (row: Record<string, unknown>) => JSON.stringify(columns.map((c) => row[c]));
  return rows.sort((a, b) => key(a).localeCompare(key(b)));
}

describe.each(backends)('upgrading a database in use, on %s', (_name, makeUrl) => {
  it(`keeps every row written at ${previous} through the later migrations`, async () => {
    const handle: DatabaseHandle = await connectDatabase({ url: await makeUrl() });
    const db = handle.db as unknown as AnyDatabase;
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const to = await migrator.migrateTo(previous);
      expect(to.error).toBeUndefined();

      const tables = await tablesOf(db);
      expect(
        tables.filter((table) => !SEED.some(([seeded]) => seeded === table)),
        `tables without rows in SEED at ${previous}: add some`,
      ).toEqual([]);
      for (const [table, rows] of SEED) await db.insertInto(table).values(rows).execute();

      const result = await migrateToLatest(handle.db);
      expect(result.results?.map((r) => [r.migrationName, r.status])).toEqual(
        names.slice(names.indexOf(previous) + 1).map((name) => [name, 'Success']),
      );
      for (const [table, rows] of SEED) {
        const columns = Object.keys(rows[0]!);
        const sorted = [...rows].sort((a, b) =>
          JSON.stringify(columns.map((c) => a[c])).localeCompare(JSON.stringify(columns.map((c) => b[c]))),
        );
        expect(await rowsOf(db, table, columns), `rows of ${table}`).toEqual(sorted);
      }
    } finally {
      await handle.close();
    }
  });
});
