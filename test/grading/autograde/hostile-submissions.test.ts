// Hostile submissions through the whole autograde pipeline with the real bubblewrap sandbox: each is
// contained and scores 0 (or times out), and the honest students graded in the same run still get
// their points.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  autogradeAssignment,
  type AutogradeRunResult,
} from '../../../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../../../src/gradebook/course-gradebook.js';
import { loadAssignmentScores, type AssignmentScores } from '../../../src/gradebook/scores.js';
import {
  AUTOGRADE_KERNEL_TIMINGS,
  DEFAULT_AUTOGRADE_SETTINGS,
} from '../../../src/grading/autograde/settings.js';
import { createKernelLauncher } from '../../../src/kernel/index.js';
import { createTinyCourse, submit } from '../../gradebook/support/tiny-course.js';

const courseDir = mkdtempSync(join(tmpdir(), 'coursehub-hostile-'));
let server: Server;
let connections = 0;
let port = 0;
let run: AutogradeRunResult;
let scores: AssignmentScores;

const secretPath = () => join(courseDir, 'submitted/honest/ps1/p1.ipynb');

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;

  await createTinyCourse(courseDir);
  submit(courseDir, 'honest', 'a = 1');
  submit(courseDir, 'forkbomb', 'import os\nwhile True:\n    os.fork()\na = 1');
  submit(courseDir, 'sleeper', 'import time\ntime.sleep(10**6)\na = 1');
  submit(courseDir, 'snoop', `a = 1 if open(${JSON.stringify(secretPath())}).read() else 0`);
  submit(courseDir, 'shadow', "a = 1 if open('/etc/shadow').read() else 0");
  submit(
    courseDir,
    'network',
    `import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=3)\na = 1`,
  );
  submit(
    courseDir,
    'escape',
    `open(${JSON.stringify(join(courseDir, 'escaped.txt'))}, 'w').write('x')\na = 1`,
  );
  submit(courseDir, 'late-honest', 'a = 1');

  const gradebook = await openCourseGradebook(courseDir, 'tiny');
  try {
    run = await autogradeAssignment({
      store: gradebook.store,
      courseId: gradebook.courseId,
      courseDir,
      assignment: 'ps1',
      force: false,
      settings: { ...DEFAULT_AUTOGRADE_SETTINGS, cellTimeoutSeconds: 5 },
      launcher: createKernelLauncher({
        sandbox: 'bwrap',
        log: { warn: () => undefined },
        timings: AUTOGRADE_KERNEL_TIMINGS,
      }),
      concurrency: 2,
      log: () => undefined,
    });
    scores = await loadAssignmentScores(gradebook.store, gradebook.courseId, 'ps1');
  } finally {
    await gradebook.close();
  }
}, 600_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(courseDir, { recursive: true, force: true });
});

const scoreOf = (student: string) => scores.submissions.find((s) => s.studentId === student)?.score;

describe('hostile submissions', () => {
  it('grades every student and says what isolation applied', () => {
    expect(run.outcomes.map((o) => [o.student, o.status])).toEqual(
      ['escape', 'forkbomb', 'honest', 'late-honest', 'network', 'shadow', 'sleeper', 'snoop'].map((s) => [
        s,
        'graded',
      ]),
    );
    expect(run.isolation).toMatch(/bwrap/);
  });

  it('gives the honest students their points', () => {
    expect(scoreOf('honest')).toBe(1);
    expect(scoreOf('late-honest')).toBe(1);
  });

  it('contains a fork bomb', () => {
    expect(scoreOf('forkbomb')).toBe(0);
  });

  it('times out code that sleeps forever', () => {
    expect(scoreOf('sleeper')).toBe(0);
    const notebook = JSON.parse(readFileSync(join(courseDir, 'autograded/sleeper/ps1/p1.ipynb'), 'utf8')) as {
      cells: Array<{ outputs?: Array<{ ename?: string }> }>;
    };
    expect(notebook.cells[1]?.outputs?.map((o) => o.ename)).toContain('CellTimeoutError');
  });

  it("cannot read another student's submission or /etc/shadow", () => {
    expect(scoreOf('snoop')).toBe(0);
    expect(scoreOf('shadow')).toBe(0);
  });

  it('cannot connect to anything on 127.0.0.1', () => {
    expect(scoreOf('network')).toBe(0);
    expect(connections).toBe(0);
  });

  it('cannot write outside its own folder', () => {
    expect(scoreOf('escape')).toBe(0);
    expect(() => readFileSync(join(courseDir, 'escaped.txt'))).toThrow(/ENOENT/);
  });
});
