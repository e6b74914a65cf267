// fetch_assignment and submit from a terminal, as nbgrader 0.9.5 does them with its defaults
// (exchange/default/fetch_assignment.py: Exchange.path_includes_course = False, assignment_dir
// '.'): `fetch_assignment A --course C` writes ./A of the current directory (not ~/C/A), refuses
// a second time with nbgrader's words unless --replace (which restores only missing files), and
// `submit A --course C` hands in that ./A. The built CLI runs as the student's own Unix account
// (setpriv), with the JUPYTERHUB_ variables a user server has, against a real hub. The course
// page's Fetch still writes ~/C/A (the README's rule).
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUnixAccount, type UnixAccount } from '../../src/sandbox/unix-accounts.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chfc_prof';
const AMY = 'chfc_amy';
const A = 'cfca';
const B = 'cfcb';
const CLI = new URL('../../bin/coursehub.js', import.meta.url).pathname;

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('fetch_assignment and submit in the current directory', () => {
  let ch: CourseHub;
  let amy: UnixAccount;
  let token: string;
  let work: string;

  /**
   * The built CLI as Amy, in `cwd`, with her server's variables: exit code, stdout, stderr. A child
   * process awaited, never spawnSync: the hub answering it runs in this very process.
   */
  function asAmy(cwd: string, ...args: string[]) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        '/usr/bin/setpriv',
        [
          `--reuid=${amy.uid}`,
          `--regid=${amy.gid}`,
          '--clear-groups',
          process.execPath,
          CLI,
          'nbgrader',
          ...args,
        ],
        {
          cwd,
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: amy.home,
            JUPYTERHUB_API_URL: `${ch.hub.hubUrl}/hub/api`,
            JUPYTERHUB_API_TOKEN: token,
          },
        },
        (error, stdout, stderr) =>
          done({
            code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
            stdout: stdout.trim(),
            stderr: stderr.trim(),
          }),
      );
    });
  }

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: 'chfc_grader',
        students: [AMY],
        otherProf: 'chfc_oprof',
        otherStudent: 'chfc_ostud',
        admin: 'chfc_admin',
      },
      { a: A, b: B },
    );
    expect((await ch.as(PROF, 'POST', `/hub/courses/${A}/release/ps1`)).status).toBe(200);
    // Her account, as her server's first start (or the exchange's first use) makes it.
    amy = await ensureUnixAccount(AMY, ch.hub.services.config.spawner.local.homeRoot);
    token = await ch.hub.token(AMY);
    work = join(amy.home, 'work');
    mkdirSync(work, { recursive: true });
    chownSync(work, amy.uid, amy.gid);
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
  });

  it('writes ./A with the student’s own rights, as nbgrader; not ~/C/A', async () => {
    const fetched = await asAmy(work, 'fetch_assignment', 'ps1', '--course', A);
    expect(fetched).toEqual({ code: 0, stdout: `Fetched as: ${A} ps1`, stderr: '' });
    const notebook = join(work, 'ps1', 'p1.ipynb');
    expect(statSync(notebook).uid).toBe(amy.uid);
    expect(readFileSync(notebook, 'utf8')).toContain('YOUR CODE HERE');
    expect(existsSync(join(amy.home, A, 'ps1'))).toBe(false);
  });

  it('a second fetch is refused with nbgrader’s words; --replace restores only what is missing', async () => {
    const again = await asAmy(work, 'fetch_assignment', 'ps1', '--course', A);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('You already have a copy of the assignment in this directory: ps1');
    const notebook = join(work, 'ps1', 'p1.ipynb');
    rmSync(notebook);
    writeFileSync(join(work, 'ps1', 'mine.txt'), 'my notes');
    const replaced = await asAmy(work, 'fetch_assignment', 'ps1', '--course', A, '--replace');
    expect(replaced).toEqual({
      code: 0,
      stdout: `Replacing missing file 'ps1/p1.ipynb'\nFetched as: ${A} ps1`,
      stderr: '',
    });
    expect(existsSync(notebook)).toBe(true);
    expect(readFileSync(join(work, 'ps1', 'mine.txt'), 'utf8')).toBe('my notes');
  });

  it('submit hands in ./A; the receipt is the hub’s, the snapshot is that folder', async () => {
    const notebook = join(work, 'ps1', 'p1.ipynb');
    const changed = JSON.parse(readFileSync(notebook, 'utf8')) as {
      cells: { id?: string; source: unknown }[];
    };
    changed.cells.find((cell) => cell.id === 'answer')!.source = 'a = 1  # from ./ps1';
    writeFileSync(notebook, JSON.stringify(changed));
    const submitted = await asAmy(work, 'submit', 'ps1', '--course', A);
    expect(submitted.code).toBe(0);
    const listed = await ch.hub.services.exchange.list(A, { name: AMY });
    const receipt = listed.assignments[0]!.submissions.at(-1)!;
    expect(submitted.stdout.split('\n')).toEqual([
      'Submitting ~/work/ps1',
      `Submitted 2 files of ${A}/ps1`,
      `Receipt: ${receipt.timestamp} UTC sha256:${receipt.checksum}`,
    ]);
    // Collected, the submission is ./ps1's notebook.
    await ch.hub.services.exchange.collect(A, 'ps1', { name: PROF });
    expect(readFileSync(join(ch.courseDirA, 'submitted', AMY, 'ps1', 'p1.ipynb'), 'utf8')).toContain(
      'from ./ps1',
    );
    // Outside the home there is nothing the hub could read as her: refused before anything is sent.
    const elsewhere = mkdtempSync(join(tmpdir(), 'coursehub-outside-'));
    mkdirSync(join(elsewhere, 'ps1'));
    chmodSync(elsewhere, 0o755);
    const outside = await asAmy(elsewhere, 'submit', 'ps1', '--course', A);
    rmSync(elsewhere, { recursive: true, force: true });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain(`${join(elsewhere, 'ps1')} is not inside your home`);
    expect((await ch.hub.services.exchange.list(A, { name: AMY })).assignments[0]!.submissions).toHaveLength(
      1,
    );
  });

  it('the course page’s Fetch still writes ~/C/A, as the README says', async () => {
    expect((await ch.as(AMY, 'POST', `/hub/courses/${A}/fetch/ps1`)).status).toBe(200);
    expect(statSync(join(amy.home, A, 'ps1', 'p1.ipynb')).uid).toBe(amy.uid);
  });
});
