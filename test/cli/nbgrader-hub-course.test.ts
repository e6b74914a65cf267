// The instructor's whole path from the command line against a running hub (issue 12, item 6):
// `coursehub nbgrader ... --course C` with --hub/--token, run in this process through the CLI's
// error boundary (runCommandLine) with the command modules the CLI registers. A real hub (the
// real proxy, SQLite), real Unix accounts (as root) whose homes the hub writes and reads with
// their own rights, real sandboxed grading kernels. autograde and generate_feedback are jobs on
// the hub: the command waits, prints progress, and fails with the job.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from '../../src/cli/boundary.js';
import { nbgraderAutogradeCommand } from '../../src/cli/nbgrader/autograde.js';
import { nbgraderDbCommand } from '../../src/cli/nbgrader/db.js';
import { nbgraderExchangeCommands } from '../../src/cli/nbgrader/exchange.js';
import { nbgraderExportCommand } from '../../src/cli/nbgrader/export.js';
import { generateFeedbackCommand } from '../../src/cli/nbgrader/generate-feedback.js';
import { generateAssignmentCommand } from '../../src/cli/nbgrader/generate.js';
import { GRADES_CSV_COLUMNS } from '../../src/gradebook/export-grades-csv.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { answerIn, startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chcli_prof';
const GRADER = 'chcli_grader';
const AMY = 'chcli_amy';
const BOB = 'chcli_bob';
const A = 'clia';
const B = 'clib';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('coursehub nbgrader --course C: the instructor’s path on a running hub', () => {
  let ch: CourseHub;
  let api: string;
  const tokens = new Map<string, string>();
  let out: string[] = [];
  let err: string[] = [];

  /** Runs `coursehub nbgrader ARGS --course A --hub API --token (name's)`: exit code, stdout, stderr. */
  async function nbgrader(as: string, ...args: string[]) {
    const program = new Command().exitOverride();
    const group = program.command('nbgrader').exitOverride();
    for (const command of [
      generateAssignmentCommand(),
      nbgraderAutogradeCommand(),
      generateFeedbackCommand(),
      nbgraderExportCommand(),
      nbgraderDbCommand(),
      ...nbgraderExchangeCommands(),
    ])
      group.addCommand(command);
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

  const answer = (student: string, code: string) => answerIn(student, A, code);

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: [AMY, BOB],
        otherProf: 'chcli_oprof',
        otherStudent: 'chcli_ostud',
        admin: 'chcli_admin',
      },
      { a: A, b: B },
    );
    api = `${ch.hub.hubUrl}/hub/api`;
    for (const name of [PROF, GRADER, AMY, BOB]) tokens.set(name, await ch.hub.token(name));
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
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

  it('adds ps1 with a due date and lists it; a grader cannot, with the hub’s message and exit 1', async () => {
    expect(
      await nbgrader(PROF, 'db', 'assignment', 'add', 'ps1', '--duedate', '2099-01-02 03:04:00 UTC'),
    ).toEqual({
      code: 0,
      stdout: "Creating/updating assignment with ID 'ps1' due 2099-01-02 03:04:00 UTC",
      stderr: '',
    });
    // Without --duedate the due date stays, as nbgrader's `db assignment add`.
    expect((await nbgrader(PROF, 'db', 'assignment', 'add', 'ps1')).stdout).toBe(
      "Creating/updating assignment with ID 'ps1' due 2099-01-02 03:04:00 UTC",
    );
    expect((await nbgrader(GRADER, 'db', 'assignment', 'list')).stdout).toBe(
      'There are 1 assignments in the database:\nps1 (due: 2099-01-02 03:04:00)',
    );
    const refused = await nbgrader(GRADER, 'db', 'assignment', 'add', 'ps2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/The hub refused \(403\): chcli_grader is not an instructor of "clia"/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect((await nbgrader(PROF, 'db', 'assignment', 'list')).stdout).not.toContain('ps2');
    // A due date that is no date: refused (exit 1, a message, no stack), the due date unchanged.
    const bad = await nbgrader(PROF, 'db', 'assignment', 'add', 'ps1', '--duedate', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/soon/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const viaApi = await fetch(`${api}/courses/${A}/assignments/ps1`, {
      method: 'PUT',
      headers: { authorization: `token ${tokens.get(PROF)!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ duedate: 'soon' }),
    });
    expect(viaApi.status).toBe(400);
    expect(((await viaApi.json()) as { message: string }).message).toMatch(/"soon" is not a due date/);
    expect((await nbgrader(PROF, 'db', 'assignment', 'list')).stdout).toContain(
      'ps1 (due: 2099-01-02 03:04:00)',
    );
  });

  it('generates and releases; students fetch and submit from the command line', async () => {
    const generated = await nbgrader(PROF, 'generate_assignment', 'ps1');
    expect(generated).toMatchObject({ code: 0, stdout: `Generated release/ps1/ of ${A}: p1.ipynb` });
    expect(existsSync(join(ch.courseDirA, 'release', 'ps1', 'p1.ipynb'))).toBe(true);
    expect((await nbgrader(PROF, 'release_assignment', 'ps1')).stdout).toBe(
      'Released ps1 as version 1 (1 files)',
    );
    for (const [student, code] of [
      [AMY, 'a = 1'],
      [BOB, 'a = 2'],
    ] as const) {
      // fetch_assignment writes ./ps1 of the process's own directory as nbgrader does (run as the
      // student in ./nbgrader-fetch-cwd.test.ts); here the student fetches into ~/A/ps1 from the
      // course page, and submit (with no ./ps1 here) hands in that folder.
      expect((await ch.as(student, 'POST', `/hub/courses/${A}/fetch/ps1`)).status).toBe(200);
      await answer(student, code);
      const submitted = await nbgrader(student, 'submit', 'ps1');
      expect(submitted.code).toBe(0);
      expect(submitted.stdout.split('\n').at(-1)).toMatch(
        /^Receipt: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC sha256:[0-9a-f]{64}$/,
      );
    }
    expect((await nbgrader(PROF, 'collect', 'ps1')).stdout.split('\n').sort()).toEqual([
      expect.stringMatching(new RegExp(`^Collected ${AMY} ps1 \\(`)),
      expect.stringMatching(new RegExp(`^Collected ${BOB} ps1 \\(`)),
    ]);
    expect((await nbgrader(GRADER, 'db', 'student', 'list')).stdout).toMatch(
      /^There are 2 students in the database:/,
    );
  });

  it('a student running autograde gets the hub’s 403 message and exit 1; no job is started', async () => {
    const refused = await nbgrader(AMY, 'autograde', 'ps1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /The hub refused \(403\): chcli_amy is not an instructor or a grader of "clia"/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stdout).toBe('');
    expect(await ch.hub.services.courseJobs.ofCourse(A, { name: PROF, admin: false })).toEqual([]);
  });

  it(
    'autogrades (waiting for the job, with progress), generates and releases feedback, exports; a student fetches feedback',
    { timeout: 300_000 },
    async () => {
      const graded = await nbgrader(GRADER, 'autograde', 'ps1');
      expect(graded.code, graded.stderr).toBe(0);
      const lines = graded.stdout.split('\n');
      expect(lines).toContain('[autograde] 2/2');
      expect(lines.at(-1)).toBe('graded 2, failed 0, skipped 0');
      // Without --force, what autograded/ holds already is not graded again.
      expect((await nbgrader(GRADER, 'autograde', 'ps1', '--student', AMY)).stdout.split('\n').at(-1)).toBe(
        'graded 0, failed 0, skipped 1',
      );
      expect(
        (await nbgrader(PROF, 'autograde', 'ps1', '--student', AMY, '--force')).stdout.split('\n').at(-1),
      ).toBe('graded 1, failed 0, skipped 0');

      const feedback = await nbgrader(GRADER, 'generate_feedback', 'ps1');
      expect(feedback.code, feedback.stderr).toBe(0);
      expect(feedback.stdout.split('\n').at(-1)).toBe('generated 2, failed 0');
      expect(readdirSync(join(ch.courseDirA, 'feedback', AMY, 'ps1'))).toContain('p1.html');
      expect((await nbgrader(PROF, 'release_feedback', 'ps1')).stdout.split('\n').sort()).toEqual([
        `Released feedback of ${AMY}`,
        `Released feedback of ${BOB}`,
      ]);

      const target = join(ch.courseDirA, 'exported.csv');
      expect((await nbgrader(GRADER, 'export', '--to', target)).stdout).toBe(`Exporting grades to ${target}`);
      const [header, ...rows] = readFileSync(target, 'utf8').trim().split('\n');
      expect(header).toBe(GRADES_CSV_COLUMNS.join(','));
      const scoreOf = (student: string) => {
        const row = rows.find((r) => r.split(',')[3] === student)!.split(',');
        return Number(row[GRADES_CSV_COLUMNS.indexOf('raw_score')]);
      };
      expect([scoreOf(AMY), scoreOf(BOB)]).toEqual([1, 0]);

      const fetched = await nbgrader(AMY, 'fetch_feedback', 'ps1');
      expect(fetched.stdout).toMatch(
        new RegExp(`^Fetched feedback into ~/${A}/ps1/feedback/[^/]+: p1\\.html$`),
      );
      const account = (await lookupUnixAccount(AMY))!;
      const folder = join(account.home, A, 'ps1', 'feedback');
      const [stamp] = readdirSync(folder);
      expect(readFileSync(join(folder, stamp!, 'p1.html'), 'utf8')).toContain('p1 (Score: 1.0 / 1.0)');
    },
  );

  it('a failed job fails the command: autograde of an assignment never collected', async () => {
    const failed = await nbgrader(PROF, 'autograde', 'nosuch');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/autograde of clia failed: .*nosuch/s);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  });
});
