// Bad input to `coursehub nbgrader generate_feedback`, replayed as a user types it: each is
// answered with a message that names what is wrong (the assignment, the folder, the file, the
// cell), no stack trace, exit 1, and the course's files and gradebook rows as they were (apart
// from the feedback of the other, good students, which is written). The autograded folders
// a replay damages stand for an instructor's edit or a disk gone wrong.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autogradeAssignment } from '../../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { loadAssignmentScores } from '../../src/gradebook/scores.js';
import {
  AUTOGRADE_KERNEL_TIMINGS,
  DEFAULT_AUTOGRADE_SETTINGS,
} from '../../src/grading/autograde/settings.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { createTinyCourse, submit } from '../gradebook/support/tiny-course.js';
import { inertProblems } from '../render/support/hostile.js';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const STACK_LINE = /^\s+at .+[:(]/m;
const dirs: string[] = [];
let base: string;

function coursehub(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const feedback = (dir: string, ...args: string[]) =>
  coursehub('nbgrader', 'generate_feedback', 'ps1', ...args, '--course-dir', dir);

/** Every file and link of the course (not the gradebook file) with a hash of its bytes. */
function snapshotFiles(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    const path = join(prefix, name);
    if (path.startsWith('coursehub-gradebook.sqlite')) continue;
    const stat = lstatSync(join(dir, path));
    if (stat.isDirectory()) Object.assign(files, snapshotFiles(dir, path));
    else
      files[path] = stat.isSymbolicLink()
        ? 'link'
        : `${(stat.mode & 0o777).toString(8)} ${createHash('sha256')
            .update(readFileSync(join(dir, path)))
            .digest('hex')}`;
  }
  return files;
}

async function gradebookRows(dir: string): Promise<string> {
  const gradebook = await openCourseGradebook(dir, 'tiny');
  try {
    return JSON.stringify(await loadAssignmentScores(gradebook.store, gradebook.courseId, 'ps1'));
  } finally {
    await gradebook.close();
  }
}

/** A fresh copy of the autograded course (ada and bob autograded, no feedback yet). */
function course(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coursehub-feedback-bad-'));
  dirs.push(dir);
  cpSync(base, dir, { recursive: true });
  return dir;
}

function expectRefusal(run: { code: number | null; stderr: string }, ...named: RegExp[]) {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).not.toMatch(STACK_LINE);
  for (const pattern of named) expect(run.stderr).toMatch(pattern);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'coursehub-feedback-bad-base-'));
  dirs.push(base);
  await createTinyCourse(base);
  submit(base, 'ada', 'a = 1');
  submit(base, 'bob', 'a = 2');
  const gradebook = await openCourseGradebook(base, 'tiny');
  try {
    const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
    const result = await autogradeAssignment({
      store: gradebook.store,
      courseId: gradebook.courseId,
      courseDir: base,
      assignment: 'ps1',
      force: true,
      settings: DEFAULT_AUTOGRADE_SETTINGS,
      launcher: createKernelLauncher({
        sandbox,
        log: { warn: () => undefined },
        timings: AUTOGRADE_KERNEL_TIMINGS,
      }),
      concurrency: 2,
      log: () => undefined,
    });
    expect(result.outcomes.map((o) => o.status)).toEqual(['graded', 'graded']);
  } finally {
    await gradebook.close();
  }
}, 240_000);

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('generate_feedback refuses bad input and changes nothing else', { timeout: 240_000 }, () => {
  it('an unknown assignment: names it and says how to add it', async () => {
    const dir = course();
    const [files, rows] = [snapshotFiles(dir), await gradebookRows(dir)];
    const run = coursehub('nbgrader', 'generate_feedback', 'nope', '--course-dir', dir);
    expectRefusal(
      run,
      /^coursehub: No assignment with ID 'nope' exists in the gradebook\./m,
      /db assignment add nope/,
    );
    expect(snapshotFiles(dir)).toEqual(files);
    expect(await gradebookRows(dir)).toBe(rows);
  });

  it('nothing autograded yet: names the folder it looked in and says to autograde', async () => {
    const dir = course();
    rmSync(join(dir, 'autograded'), { recursive: true });
    const [files, rows] = [snapshotFiles(dir), await gradebookRows(dir)];
    const run = feedback(dir);
    expectRefusal(
      run,
      new RegExp(`^coursehub: No notebooks were matched by '${join(dir, 'autograded/\\*/ps1')}'`, 'm'),
      /coursehub nbgrader autograde ps1/,
    );
    expect(snapshotFiles(dir)).toEqual(files);
    expect(await gradebookRows(dir)).toBe(rows);
  });

  it('a student with no autograded submission: names the student', async () => {
    const dir = course();
    const [files, rows] = [snapshotFiles(dir), await gradebookRows(dir)];
    const run = feedback(dir, '--student', 'ghost');
    expectRefusal(run, /No autograded submission of 'ps1' from student 'ghost'/, /autograded\/ghost\/ps1/);
    expect(snapshotFiles(dir)).toEqual(files);
    expect(await gradebookRows(dir)).toBe(rows);
  });

  it('an autograded notebook that is not JSON: names the file; the other student still gets feedback', async () => {
    const dir = course();
    const notebook = join(dir, 'autograded/bob/ps1/p1.ipynb');
    chmodSync(notebook, 0o644);
    writeFileSync(notebook, '{"cells": [');
    const [files, rows] = [snapshotFiles(dir), await gradebookRows(dir)];
    const run = feedback(dir);
    expectRefusal(
      run,
      /\[ERROR\] autograded\/bob\/ps1\/p1\.ipynb: is not valid JSON/,
      /There was an error processing assignment 'ps1' for student 'bob'/,
    );
    expect(run.stdout).toBe('ada: generated (p1.html)\nbob: failed\n');
    // bob: nothing, not even half a folder (only the empty student folder, as nbgrader leaves it); ada: complete.
    expect(readdirSync(join(dir, 'feedback')).sort()).toEqual(['ada', 'bob']);
    expect(readdirSync(join(dir, 'feedback/bob'))).toEqual([]);
    expect(readdirSync(join(dir, 'feedback/ada'))).toEqual(['ps1']);
    const after = snapshotFiles(dir);
    for (const path of Object.keys(after).filter((p) => !p.startsWith('feedback/ada/')))
      expect(after[path], path).toBe(files[path]);
    expect(Object.keys(after).filter((p) => !(p in files))).toEqual([
      'feedback/ada/ps1/p1.html',
      'feedback/ada/ps1/timestamp.txt',
    ]);
    expect(await gradebookRows(dir)).toBe(rows);
  });

  it('a graded cell the gradebook does not know: names the cell and the notebook', async () => {
    const dir = course();
    const path = join(dir, 'autograded/bob/ps1/p1.ipynb');
    const notebook = JSON.parse(readFileSync(path, 'utf8')) as {
      cells: Array<{ metadata: Record<string, unknown> }>;
    };
    notebook.cells.push({
      cell_type: 'code',
      execution_count: null,
      outputs: [],
      source: 'assert True',
      metadata: {
        nbgrader: {
          schema_version: 3,
          grade: true,
          solution: false,
          locked: true,
          grade_id: 'extra',
          points: 5,
        },
      },
    } as unknown as { metadata: Record<string, unknown> });
    chmodSync(path, 0o644);
    writeFileSync(path, JSON.stringify(notebook));
    const rows = await gradebookRows(dir);
    const run = feedback(dir, '--student', 'bob');
    expectRefusal(
      run,
      /No grade for cell 'extra' of notebook 'p1' in the gradebook\./,
      /autograde the submission again/,
    );
    expect(existsSync(join(dir, 'feedback/bob'))).toBe(true);
    expect(readdirSync(join(dir, 'feedback/bob'))).toEqual([]);
    expect(await gradebookRows(dir)).toBe(rows);
  });

  it('a failure on --force removes the old feedback (as nbgrader), never leaves half of the new', async () => {
    const dir = course();
    expect(feedback(dir).code).toBe(0);
    const path = join(dir, 'autograded/bob/ps1/p1.ipynb');
    chmodSync(path, 0o644);
    writeFileSync(path, 'not a notebook');
    const run = feedback(dir, '--force');
    expectRefusal(run, /p1\.ipynb: is not valid JSON/, /Removing failed assignment: .*feedback\/bob\/ps1/);
    expect(readdirSync(join(dir, 'feedback/bob'))).toEqual([]);
    expect(readdirSync(join(dir, 'feedback/ada/ps1')).sort()).toEqual(['p1.html', 'timestamp.txt']);
  });

  it('a link to a file the grader can read is not followed or copied', async () => {
    const dir = course();
    symlinkSync('/etc/passwd', join(dir, 'autograded/ada/ps1/passwd.txt'));
    const run = feedback(dir, '--student', 'ada');
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(join(dir, 'feedback/ada/ps1')).sort()).toEqual(['p1.html', 'timestamp.txt']);
    expect(run.stderr).not.toContain('passwd');
  });

  it('a hostile autograded notebook gives an inert page', async () => {
    const dir = course();
    const path = join(dir, 'autograded/ada/ps1/p1.ipynb');
    const notebook = JSON.parse(readFileSync(path, 'utf8')) as { cells: Array<Record<string, unknown>> };
    notebook.cells.push({
      cell_type: 'markdown',
      metadata: {},
      source: '<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>',
    });
    chmodSync(path, 0o644);
    writeFileSync(path, JSON.stringify(notebook));
    expect(feedback(dir, '--student', 'ada').code).toBe(0);
    const page = readFileSync(join(dir, 'feedback/ada/ps1/p1.html'), 'utf8');
    expect(inertProblems(page.slice(page.indexOf('<body>')))).toEqual([]);
    expect(page).not.toMatch(/<script|onerror|javascript:/i);
  });
});
