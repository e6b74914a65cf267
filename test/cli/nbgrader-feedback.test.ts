// `coursehub nbgrader generate_feedback` as a user runs it (a real process) on a small course
// autograded with real sandboxed kernels: the pages and copied files with mode 0644, scores,
// "No response.", a grader's comment, the late penalty; existing feedback kept, --force, an
// autograded submission newer than the feedback, --student.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autogradeAssignment } from '../../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { setManualComment } from '../../src/gradebook/manual-grades.js';
import {
  AUTOGRADE_KERNEL_TIMINGS,
  DEFAULT_AUTOGRADE_SETTINGS,
} from '../../src/grading/autograde/settings.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { createTinyCourse, submit } from '../gradebook/support/tiny-course.js';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
const launcher = createKernelLauncher({
  sandbox,
  log: { warn: () => undefined },
  timings: AUTOGRADE_KERNEL_TIMINGS,
});

function coursehub(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function autograde(courseDir: string, students?: string[]) {
  const gradebook = await openCourseGradebook(courseDir, 'tiny');
  try {
    const result = await autogradeAssignment({
      store: gradebook.store,
      courseId: gradebook.courseId,
      courseDir,
      assignment: 'ps1',
      students,
      force: true,
      settings: { ...DEFAULT_AUTOGRADE_SETTINGS, penaltyMethod: 'zero' },
      launcher,
      concurrency: 2,
      log: () => undefined,
    });
    expect(result.outcomes.every((o) => o.status === 'graded')).toBe(true);
  } finally {
    await gradebook.close();
  }
}

const title = (html: string) => /<h1 class="nb-feedback-title">([^<]*)<\/h1>/.exec(html)?.[1];

let dir: string;
const page = (student: string) => join(dir, 'feedback', student, 'ps1', 'p1.html');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-feedback-cli-'));
  await createTinyCourse(dir, "c.LateSubmissionPlugin.penalty_method = 'zero'\n");
  submit(dir, 'ada', 'a = 1');
  submit(dir, 'bob', 'a = 1', '2024-01-03 10:00:00 UTC'); // a day late: penalty 'zero'
  submit(dir, 'cy', '# YOUR CODE HERE\nraise NotImplementedError()'); // the release, unchanged
  await autograde(dir);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('coursehub nbgrader generate_feedback', { timeout: 240_000 }, () => {
  it('writes one page per notebook and the copied files, mode 0644, with nbgrader’s log', () => {
    const run = coursehub('nbgrader', 'generate_feedback', 'ps1', '--course-dir', dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('ada: generated (p1.html)\nbob: generated (p1.html)\ncy: generated (p1.html)\n');
    for (const student of ['ada', 'bob', 'cy']) {
      const folder = join(dir, 'feedback', student, 'ps1');
      expect(readdirSync(folder).sort()).toEqual(['p1.html', 'timestamp.txt']);
      for (const file of readdirSync(folder)) expect(statSync(join(folder, file)).mode & 0o777).toBe(0o644);
      expect(readFileSync(join(folder, 'timestamp.txt'), 'utf8')).toBe(
        readFileSync(join(dir, 'submitted', student, 'ps1', 'timestamp.txt'), 'utf8'),
      );
      // Nothing left over from building beside the target.
      expect(readdirSync(join(dir, 'feedback', student))).toEqual(['ps1']);
    }
    expect(run.stderr).toContain(`[INFO] Converting notebook ${join(dir, 'autograded/ada/ps1/p1.ipynb')}`);
    expect(run.stderr).toContain(
      `[INFO] Copying ${join(dir, 'autograded/ada/ps1/timestamp.txt')} -> ${join(dir, 'feedback/ada/ps1/timestamp.txt')}`,
    );
    expect(run.stderr).toContain('[WARNING] Late submission penalty: 1.0');
    expect(run.stderr).toContain('[INFO] Setting destination file permissions to 644');

    expect(title(readFileSync(page('ada'), 'utf8'))).toBe('p1 (Score: 1.0 / 1.0)');
    const bob = readFileSync(page('bob'), 'utf8');
    expect(title(bob)).toBe('p1 (Score: 0.0 / 1.0)');
    expect(bob).toContain('<li class="nb-late-penalty">Late submission penalty (Score: -1.0)</li>');
    const cy = readFileSync(page('cy'), 'utf8');
    expect(title(cy)).toBe('p1 (Score: 0.0 / 1.0)');
    expect(cy).toContain('<b>Comments:</b> <p>No response.</p>');
    expect(cy).toContain('<code>test_a</code></span><span class="nb-grade-score">Score: 0.0 / 1.0');
  });

  it('keeps existing feedback, and --force writes it again with a grader’s new comment', async () => {
    const before = readFileSync(page('cy'), 'utf8');
    const gradebook = await openCourseGradebook(dir, 'tiny');
    try {
      await setManualComment(
        gradebook.store,
        gradebook.courseId,
        { assignment: 'ps1', studentId: 'cy', notebook: 'p1', cell: 'answer' },
        'Try **again**: set `a` to 1.',
      );
    } finally {
      await gradebook.close();
    }
    const kept = coursehub('nbgrader', 'generate_feedback', 'ps1', '--course-dir', dir);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain(`[INFO] Skipping existing assignment: ${join(dir, 'feedback/cy/ps1')}`);
    expect(readFileSync(page('cy'), 'utf8')).toBe(before);

    const forced = coursehub(
      'nbgrader',
      'generate_feedback',
      'ps1',
      '--student',
      'cy',
      '--force',
      '--course-dir',
      dir,
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toBe('cy: generated (p1.html)\n');
    expect(forced.stderr).toContain(
      `[WARNING] Removing existing assignment: ${join(dir, 'feedback/cy/ps1')}`,
    );
    const after = readFileSync(page('cy'), 'utf8');
    expect(after).toContain('<b>Comments:</b> <p>Try <strong>again</strong>: set <code>a</code> to 1.</p>');
    expect(after).toContain('<li><a href="#comment-answer">Comment</a></li>');
  });

  it('writes feedback again for a submission autograded after it (nbgrader’s timestamp rule)', async () => {
    submit(dir, 'ada', 'a = 2', '2024-01-01 11:00:00 UTC');
    await autograde(dir, ['ada']);
    const run = coursehub('nbgrader', 'generate_feedback', 'ps1', '--course-dir', dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`[WARNING] Updating existing assignment: ${join(dir, 'feedback/ada/ps1')}`);
    expect(run.stdout).toContain('ada: generated (p1.html)\nbob: skipped\ncy: skipped\n');
    expect(title(readFileSync(page('ada'), 'utf8'))).toBe('p1 (Score: 0.0 / 1.0)');
    expect(existsSync(page('bob'))).toBe(true);
  });
});
