// The nbgrader commands as a user runs them (a real `coursehub` process on a course directory):
// db assignment/student, generate_assignment, autograde, export; and kill -9 of autograde mid-run
// followed by a rerun.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { loadAssignmentScores } from '../../src/gradebook/scores.js';
import { SOURCE_NOTEBOOK, submit } from '../gradebook/support/tiny-course.js';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function coursehub(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function newCourse(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coursehub-cli-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'nbgrader_config.py'),
    "c = get_config()\nc.CourseDirectory.course_id = 'course101'\n",
  );
  readdirSync(dir);
  const source = join(dir, 'source/ps1');
  spawnSync('mkdir', ['-p', source]);
  writeFileSync(join(source, 'p1.ipynb'), JSON.stringify(SOURCE_NOTEBOOK, null, 1));
  return dir;
}

describe('coursehub nbgrader (command line)', () => {
  it('runs the nbgrader workflow: db, generate, autograde, export', () => {
    const dir = newCourse();
    expect(
      coursehub(
        'nbgrader',
        'db',
        'assignment',
        'add',
        'ps1',
        '--duedate',
        '2024-01-01 12:00:00 America/New_York',
        '--course-dir',
        dir,
      ).code,
    ).toBe(0);
    writeFileSync(
      join(dir, 'students.csv'),
      'id,first_name,last_name,email\nada,Ada,Lovelace,ada@example.org\nbob,Bob,,\n',
    );
    expect(
      coursehub('nbgrader', 'db', 'student', 'import', join(dir, 'students.csv'), '--course-dir', dir).code,
    ).toBe(0);
    expect(coursehub('nbgrader', 'db', 'student', 'list', '--course-dir', dir).stdout).toContain(
      'ada (Lovelace, Ada) -- ada@example.org',
    );
    expect(coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir).code).toBe(0);
    submit(dir, 'ada', 'a = 1', '2024-01-01 16:00:00 UTC');
    submit(dir, 'bob', 'a = 2', '2024-01-01 18:00:00 UTC');

    const run = coursehub('nbgrader', 'autograde', 'ps1', '--course-dir', dir, '--json');
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as {
      isolation: string;
      students: Array<{ id: string; score: number }>;
    };
    expect(report.isolation).toMatch(/bwrap/);
    expect(report.students.map((s) => [s.id, s.score])).toEqual([
      ['ada', 1],
      ['bob', 0],
    ]);
    expect(run.stderr).toMatch(/Isolation: bubblewrap/);

    expect(coursehub('nbgrader', 'export', '--course-dir', dir).code).toBe(0);
    expect(readFileSync(join(dir, 'grades.csv'), 'utf8')).toBe(
      'assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,late_submission_penalty,score,max_score\n' +
        'ps1,2024-01-01 17:00:00,2024-01-01 18:00:00,bob,,Bob,,0.0,0.0,0.0,1.0\n' +
        'ps1,2024-01-01 17:00:00,2024-01-01 16:00:00,ada,Lovelace,Ada,ada@example.org,1.0,0.0,1.0,1.0\n',
    );
  }, 240_000);

  it('refuses an unknown assignment with a hint', () => {
    const dir = newCourse();
    const run = coursehub('nbgrader', 'autograde', 'nope', '--course-dir', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No assignment with ID 'nope'[\s\S]*db assignment add/);
  });

  it('survives kill -9 mid-run: no half-written result, a consistent gradebook, the rerun finishes', async () => {
    const dir = newCourse();
    expect(coursehub('nbgrader', 'db', 'assignment', 'add', 'ps1', '--course-dir', dir).code).toBe(0);
    expect(coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir).code).toBe(0);
    const students = ['s1', 's2', 's3', 's4'];
    for (const s of students) submit(dir, s, 'import time\ntime.sleep(3)\na = 1');

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, 'nbgrader', 'autograde', 'ps1', '--course-dir', dir, '--parallel', '1'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const firstResult = join(dir, 'autograded/s1/ps1/p1.ipynb');
    const deadline = Date.now() + 120_000;
    while (!existsSync(firstResult) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(firstResult)).toBe(true);
    child.kill('SIGKILL');
    await exited;

    // Whatever is under its real name is complete; the rest is nowhere or in hidden partial folders.
    const graded = students.filter((s) => existsSync(join(dir, 'autograded', s, 'ps1')));
    expect(graded).toContain('s1');
    expect(graded.length).toBeLessThan(students.length);
    for (const s of graded) {
      expect(readdirSync(join(dir, 'autograded', s, 'ps1')).sort()).toEqual(['p1.ipynb', 'timestamp.txt']);
      expect(() =>
        JSON.parse(readFileSync(join(dir, 'autograded', s, 'ps1/p1.ipynb'), 'utf8')),
      ).not.toThrow();
    }
    const gradebook = await openCourseGradebook(dir, 'course101');
    try {
      const scores = await loadAssignmentScores(gradebook.store, gradebook.courseId, 'ps1');
      // Every result on disk has its grades stored (the grades are committed before the rename).
      for (const s of graded) expect(scores.submissions.find((x) => x.studentId === s)?.score).toBe(1);
    } finally {
      await gradebook.close();
    }

    const rerun = coursehub('nbgrader', 'autograde', 'ps1', '--course-dir', dir, '--json');
    expect(rerun.code, rerun.stderr).toBe(0);
    const report = JSON.parse(rerun.stdout) as { students: Array<{ id: string; status: string }> };
    for (const s of graded) expect(report.students.find((x) => x.id === s)?.status).toBe('skipped');
    for (const s of students.filter((x) => !graded.includes(x)))
      expect(report.students.find((x) => x.id === s)?.status).toBe('graded');
    for (const s of students) {
      expect(readdirSync(join(dir, 'autograded', s)).sort()).toEqual(['ps1']);
    }
    const after = await openCourseGradebook(dir, 'course101');
    try {
      const scores = await loadAssignmentScores(after.store, after.courseId, 'ps1');
      expect(scores.submissions.map((s) => [s.studentId, s.score])).toEqual(students.map((s) => [s, 1]));
    } finally {
      await after.close();
    }
  }, 300_000);
});
