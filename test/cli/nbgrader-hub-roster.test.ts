// The roster commands on a running hub (issue 12, item 6): `coursehub nbgrader db student
// add|remove|import` and `db assignment remove` with `--course C`, nbgrader's argument shapes
// (`--first-name`, `--last-name`, `--email`, `--force`/`-f`, a CSV file with an `id` column), run
// in this process through the CLI's error boundary against a real hub. As nbgrader, remove refuses
// while the gradebook holds a submission unless --force; only the course's instructors may change
// the roster, and a grader or instructor is never turned into a student.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from '../../src/cli/boundary.js';
import { nbgraderDbCommand } from '../../src/cli/nbgrader/db.js';
import { ensureCourse } from '../../src/gradebook/courses.js';
import { recordSubmissionStarted } from '../../src/gradebook/submissions.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chrr_prof';
const GRADER = 'chrr_grader';
const AMY = 'chrr_amy';
const BOB = 'chrr_bob';
const NEW = 'chrr_new';
const FROM_CSV = 'chrr_csv';
const A = 'crra';
const B = 'crrb';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('coursehub nbgrader db student|assignment ... --course C', () => {
  let ch: CourseHub;
  let api: string;
  let dir: string;
  const tokens = new Map<string, string>();
  let out: string[] = [];
  let err: string[] = [];

  async function nbgrader(as: string, ...args: string[]) {
    const program = new Command().exitOverride();
    program.command('nbgrader').exitOverride().addCommand(nbgraderDbCommand());
    out = [];
    err = [];
    const code = await runCommandLine(program, [
      'node',
      'coursehub',
      'nbgrader',
      ...args,
      '--course',
      A,
      '--hub',
      api,
      '--token',
      tokens.get(as)!,
    ]);
    process.exitCode = undefined;
    return { code, stdout: out.join('\n'), stderr: err.join('') };
  }
  const students = () => ch.hub.services.courseWork.students(A, { name: PROF });

  beforeAll(async () => {
    for (const name of [NEW, FROM_CSV]) removeUnixAccount(name);
    dir = mkdtempSync(join(tmpdir(), 'coursehub-roster-'));
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: [AMY, BOB],
        otherProf: 'chrr_oprof',
        otherStudent: 'chrr_ostud',
        admin: 'chrr_admin',
      },
      { a: A, b: B },
    );
    api = `${ch.hub.hubUrl}/hub/api`;
    for (const name of [PROF, GRADER, AMY, 'chrr_oprof']) tokens.set(name, await ch.hub.token(name));
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
    rmSync(dir, { recursive: true, force: true });
    for (const name of [NEW, FROM_CSV]) removeUnixAccount(name);
  });
  beforeEach(() => {
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(format(...parts)));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('db student add: a new user becomes a student, with names; staff and other people are refused', async () => {
    expect(
      await nbgrader(
        PROF,
        'db',
        'student',
        'add',
        NEW,
        '--first-name',
        'Nia',
        '--last-name',
        'Ew',
        '--email',
        'n@example.org',
      ),
    ).toEqual({ code: 0, stdout: `Creating/updating student with ID '${NEW}' (a new hub user)`, stderr: '' });
    expect(await ch.hub.services.courses.roleOf(A, NEW)).toBe('student');
    expect((await students()).find((s) => s.id === NEW)).toEqual({
      id: NEW,
      firstName: 'Nia',
      lastName: 'Ew',
      email: 'n@example.org',
    });
    for (const who of [GRADER, AMY, 'chrr_oprof']) {
      const refused = await nbgrader(who, 'db', 'student', 'add', 'chrr_nobody');
      expect([who, refused.code, refused.stderr]).toEqual([
        who,
        1,
        expect.stringMatching(/The hub refused \(403\)/),
      ]);
    }
    expect(await ch.hub.services.users.get('chrr_nobody')).toBeFalsy();
    const demote = await nbgrader(PROF, 'db', 'student', 'add', GRADER);
    expect(demote.code).toBe(1);
    expect(demote.stderr).toContain(`${GRADER} is a grader of ${A}`);
    expect(await ch.hub.services.courses.roleOf(A, GRADER)).toBe('grader');
    const badName = await nbgrader(PROF, 'db', 'student', 'add', 'Not A Name');
    expect(badName.code).toBe(1);
    expect(badName.stderr).toMatch(/The hub refused \(400\): Invalid username/);
  });

  it('db student import: all or nothing, with the line of each problem', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `id,first_name,last_name,email\n${FROM_CSV},Cee,Ess,\n../etc,X,Y,\n`);
    const refused = await nbgrader(PROF, 'db', 'student', 'import', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${bad}:3: invalid id`);
    expect(await ch.hub.services.users.get(FROM_CSV)).toBeFalsy();
    const missing = await nbgrader(PROF, 'db', 'student', 'import', join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`No such file: '${join(dir, 'nope.csv')}'`);

    const good = join(dir, 'students.csv');
    writeFileSync(good, `id,last_name,first_name\n${FROM_CSV},Ess,Cee\n${AMY},Ay,Amy\n`);
    expect(await nbgrader(GRADER, 'db', 'student', 'import', good)).toMatchObject({ code: 1 });
    expect(await nbgrader(PROF, 'db', 'student', 'import', good)).toEqual({
      code: 0,
      stdout: `Imported 2 students from ${good}\nNew hub users: ${FROM_CSV}`,
      stderr: '',
    });
    expect(await ch.hub.services.courses.roleOf(A, FROM_CSV)).toBe('student');
    expect((await students()).find((s) => s.id === AMY)).toMatchObject({ firstName: 'Amy', lastName: 'Ay' });
  });

  it('db student remove and db assignment remove refuse while there are grades, unless --force', async () => {
    expect((await nbgrader(PROF, 'db', 'assignment', 'add', 'ps1')).code).toBe(0);
    expect((await nbgrader(PROF, 'db', 'assignment', 'add', 'ps2')).code).toBe(0);
    const store = ch.hub.services.courseStores.gradebook;
    await recordSubmissionStarted(store, await ensureCourse(store, A), 'ps1', BOB, '2026-01-01 00:00:00');

    // Without a submission: removed (and no longer in the course).
    expect(await nbgrader(PROF, 'db', 'student', 'remove', NEW)).toEqual({
      code: 0,
      stdout: `Removed student with ID '${NEW}'`,
      stderr: '',
    });
    expect(await ch.hub.services.courses.roleOf(A, NEW)).toBeUndefined();
    expect((await students()).some((s) => s.id === NEW)).toBe(false);

    const keep = await nbgrader(PROF, 'db', 'student', 'remove', BOB);
    expect(keep.code).toBe(1);
    expect(keep.stderr).toMatch(
      /Student 'chrr_bob' has 1 submission\(s\); removing them would delete their grades/,
    );
    expect(keep.stderr).toContain('--force');
    expect(await ch.hub.services.courses.roleOf(A, BOB)).toBe('student');
    const keepAssignment = await nbgrader(PROF, 'db', 'assignment', 'remove', 'ps1');
    expect(keepAssignment.code).toBe(1);
    expect(keepAssignment.stderr).toMatch(/Assignment 'ps1' has 1 submission\(s\)/);

    // A grader cannot; staff are not removed as students; no such student is said so.
    expect((await nbgrader(GRADER, 'db', 'student', 'remove', BOB, '--force')).code).toBe(1);
    expect((await nbgrader(GRADER, 'db', 'assignment', 'remove', 'ps2')).code).toBe(1);
    const staff = await nbgrader(PROF, 'db', 'student', 'remove', GRADER);
    expect(staff.stderr).toContain(`${GRADER} is a grader of ${A}, not a student`);
    expect(await ch.hub.services.courses.roleOf(A, GRADER)).toBe('grader');
    expect((await nbgrader(PROF, 'db', 'student', 'remove', 'chrr_ghost')).stderr).toContain(
      "No student with ID 'chrr_ghost' exists in the gradebook.",
    );

    expect(await nbgrader(PROF, 'db', 'assignment', 'remove', 'ps2')).toEqual({
      code: 0,
      stdout: "Removed assignment with ID 'ps2'",
      stderr: '',
    });
    expect((await nbgrader(PROF, 'db', 'student', 'remove', BOB, '--force')).code).toBe(0);
    expect(await ch.hub.services.courses.roleOf(A, BOB)).toBeUndefined();
    expect((await nbgrader(PROF, 'db', 'assignment', 'remove', 'ps1', '-f')).code).toBe(0);
    expect((await nbgrader(PROF, 'db', 'assignment', 'list')).stdout).toBe(
      'There are 0 assignments in the database:',
    );
  });
});
