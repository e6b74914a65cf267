// A class through the exchange (issue 12, item 3), with real Unix accounts (as root), real
// sandboxed kernels and the hub's database: release -> fetch -> submit -> collect -> autograde (the
// existing pipeline) -> generate_feedback -> release_feedback -> fetch_feedback, on SQLite and
// PostgreSQL. The students'
// files are read and written by their own accounts; no user server runs.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseRoleError, NotReleasedError } from '../../src/exchange/errors.js';
import { autogradeAssignment } from '../../src/gradebook/autograde/autograde-assignment.js';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { generateFeedback } from '../../src/gradebook/feedback/generate-feedback.js';
import {
  AUTOGRADE_KERNEL_TIMINGS,
  DEFAULT_AUTOGRADE_SETTINGS,
} from '../../src/grading/autograde/settings.js';
import { DEFAULT_FEEDBACK_SETTINGS } from '../../src/grading/feedback/index.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { BACKENDS } from '../db/backends.js';
import { createTinyCourse } from '../gradebook/support/tiny-course.js';
import { exchangeFixture, type ExchangeFixture } from './support/exchange-fixture.js';

const isRoot = process.getuid?.() === 0;
const COURSE = 'tiny';
const PROF = 'chx_prof';
const AMY = 'chx_amy';
const BOB = 'chx_bob';
const TIMESTAMP_TXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} UTC$/;

/** The release notebook with the answer cell's source replaced. */
function answered(release: Buffer, answer: string): string {
  const notebook = JSON.parse(release.toString('utf8')) as { cells: { id?: string; source: unknown }[] };
  notebook.cells.find((cell) => cell.id === 'answer')!.source = answer;
  return JSON.stringify(notebook, null, 1);
}

describe.runIf(isRoot).each(BACKENDS)('a class through the exchange, on %s', (backend) => {
  let hub: ExchangeFixture;
  const prof = { name: PROF };
  const amy = { name: AMY };
  const bob = { name: BOB };
  const NOTEBOOK = `${COURSE}/ps1/p1.ipynb`;

  beforeAll(async () => {
    hub = await exchangeFixture({ backend, course: COURSE, instructors: [PROF], students: [AMY, BOB] });
    await createTinyCourse(hub.courseDir);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('releases an immutable, versioned copy; the same files again are the same release', async () => {
    await expect(hub.exchange.fetch(COURSE, 'ps1', amy)).rejects.toBeInstanceOf(NotReleasedError);
    await expect(hub.exchange.release(COURSE, 'ps1', amy)).rejects.toBeInstanceOf(CourseRoleError);
    const first = await hub.exchange.release(COURSE, 'ps1', prof);
    expect(first).toMatchObject({ version: 1, files: ['p1.ipynb'], unchanged: false });
    expect(await hub.exchange.release(COURSE, 'ps1', prof)).toMatchObject({ version: 1, unchanged: true });
    const copy = join(hub.dataDir, 'exchange', COURSE, 'releases', 'ps1', 'v1', 'p1.ipynb');
    expect(readFileSync(copy)).toEqual(readFileSync(join(hub.courseDir, 'release/ps1/p1.ipynb')));
    expect(statSync(join(hub.dataDir, 'exchange')).mode & 0o777).toBe(0o700);
  });

  it('fetches as the student; a second fetch restores what is missing and keeps what changed', async () => {
    const fetched = await hub.exchange.fetch(COURSE, 'ps1', amy);
    expect(fetched).toMatchObject({ folder: `${COURSE}/ps1`, version: 1, written: ['p1.ipynb'], kept: [] });
    const account = await hub.account(AMY);
    const file = join(account.home, COURSE, 'ps1', 'p1.ipynb');
    expect(statSync(file).uid).toBe(account.uid);
    expect(statSync(join(account.home, COURSE)).uid).toBe(account.uid);

    const release = readFileSync(join(hub.courseDir, 'release/ps1/p1.ipynb'));
    await hub.storage(AMY).writeFile(NOTEBOOK, answered(release, 'a = 1'));
    const changed = readFileSync(file);
    expect(await hub.exchange.fetch(COURSE, 'ps1', amy)).toMatchObject({ written: [], kept: ['p1.ipynb'] });
    expect(readFileSync(file)).toEqual(changed);
    unlinkSync(file);
    expect(await hub.exchange.fetch(COURSE, 'ps1', amy)).toMatchObject({ written: ['p1.ipynb'] });
    expect(readFileSync(file)).toEqual(release);
    await hub.storage(AMY).writeFile(NOTEBOOK, answered(release, 'a = 1'));

    await hub.exchange.fetch(COURSE, 'ps1', bob);
    await hub.storage(BOB).writeFile(NOTEBOOK, answered(release, 'a = 2'));
    await hub.storage(BOB).writeFile(`${COURSE}/ps1/extra.ipynb`, '{"cells": []}');
  });

  it('submits a snapshot read as the student, with a receipt and nbgrader’s warnings', async () => {
    const receipt = await hub.exchange.submit(COURSE, 'ps1', amy);
    const account = await hub.account(AMY);
    const data = readFileSync(join(account.home, COURSE, 'ps1', 'p1.ipynb'));
    const expected = createHash('sha256').update(`p1.ipynb\0${data.length}\0`).update(data).digest('hex');
    expect(receipt).toMatchObject({ student: AMY, files: ['p1.ipynb'], checksum: expected, warnings: [] });
    expect(`${receipt.timestamp} UTC`).toMatch(TIMESTAMP_TXT);

    const bobs = await hub.exchange.submit(COURSE, 'ps1', bob);
    expect(bobs.files).toEqual(['extra.ipynb', 'p1.ipynb']);
    expect(bobs.warnings).toEqual([
      'Possible missing notebooks and/or extra notebooks submitted for assignment ps1:\n' +
        'Expected:\n\tp1.ipynb: FOUND\nSubmitted:\n\textra.ipynb: EXTRA\n\tp1.ipynb: OK',
    ]);
    // Every submission is kept; each student sees only their own.
    const again = await hub.exchange.submit(COURSE, 'ps1', amy);
    expect(again.timestamp > receipt.timestamp).toBe(true);
    const listed = await hub.exchange.list(COURSE, amy);
    expect(listed.assignments).toEqual([
      expect.objectContaining({
        assignment: 'ps1',
        fetched: true,
        submissions: [
          { timestamp: receipt.timestamp, checksum: receipt.checksum },
          { timestamp: again.timestamp, checksum: again.checksum },
        ],
        feedback: [],
      }),
    ]);
    expect(listed.assignments[0]).not.toHaveProperty('submittedBy');
    expect((await hub.exchange.list(COURSE, prof)).assignments[0]).toMatchObject({ submittedBy: 2 });
  });

  it('collects the latest submission of each student with nbgrader’s timestamp.txt; --update only newer', async () => {
    const first = await hub.exchange.collect(COURSE, 'ps1', prof);
    expect(first.collected.map((c) => c.student)).toEqual([AMY, BOB]);
    const stamp = readFileSync(join(hub.courseDir, 'submitted', AMY, 'ps1', 'timestamp.txt'), 'utf8');
    expect(stamp).toMatch(TIMESTAMP_TXT);
    expect(stamp).toBe(`${first.collected[0]!.timestamp} UTC`);
    expect(readdirSync(join(hub.courseDir, 'submitted', BOB, 'ps1')).sort()).toEqual([
      'extra.ipynb',
      'p1.ipynb',
      'timestamp.txt',
    ]);
    const second = await hub.exchange.collect(COURSE, 'ps1', prof);
    expect(second.collected).toEqual([]);
    expect(second.skipped.map((s) => s.student)).toEqual([AMY, BOB]);

    await hub.exchange.submit(COURSE, 'ps1', bob);
    const update = await hub.exchange.collect(COURSE, 'ps1', prof, { update: true });
    expect(update.collected.map((c) => c.student)).toEqual([BOB]);
    expect(update.skipped).toEqual([
      expect.objectContaining({ student: AMY, reason: 'no newer submission' }),
    ]);
    await expect(hub.exchange.collect(COURSE, 'ps1', amy)).rejects.toBeInstanceOf(CourseRoleError);
  });

  it('autogrades and generates feedback with the existing pipeline; each student gets only their own', async () => {
    const gradebook = await openCourseGradebook(hub.courseDir, COURSE);
    try {
      const launcher = createKernelLauncher({
        sandbox: (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none',
        log: { warn: () => undefined },
        timings: AUTOGRADE_KERNEL_TIMINGS,
      });
      const graded = await autogradeAssignment({
        store: gradebook.store,
        courseId: gradebook.courseId,
        courseDir: hub.courseDir,
        assignment: 'ps1',
        force: true,
        settings: DEFAULT_AUTOGRADE_SETTINGS,
        launcher,
        concurrency: 2,
        log: () => undefined,
      });
      expect(graded.outcomes.map((o) => [o.student, o.status])).toEqual([
        [AMY, 'graded'],
        [BOB, 'graded'],
      ]);
      const feedback = await generateFeedback({
        store: gradebook.store,
        courseId: gradebook.courseId,
        courseDir: hub.courseDir,
        assignment: 'ps1',
        force: true,
        settings: DEFAULT_FEEDBACK_SETTINGS,
        log: () => undefined,
      });
      expect(feedback.outcomes.length).toBe(2);
    } finally {
      await gradebook.close();
    }

    await expect(hub.exchange.fetchFeedback(COURSE, 'ps1', amy)).rejects.toThrow('No feedback was released');
    const released = await hub.exchange.releaseFeedback(COURSE, 'ps1', prof);
    expect(released.released.map((r) => [r.student, r.files])).toEqual([
      [AMY, ['p1.html']],
      [BOB, ['p1.html']],
    ]);
    expect((await hub.exchange.releaseFeedback(COURSE, 'ps1', prof)).unchanged).toEqual([AMY, BOB]);

    const fetched = await hub.exchange.fetchFeedback(COURSE, 'ps1', amy);
    expect(fetched.folders).toHaveLength(1);
    const { timestamp, folder } = fetched.folders[0]!;
    expect(timestamp).toMatch(TIMESTAMP_TXT);
    expect(folder).toBe(`${COURSE}/ps1/feedback/${timestamp}`);
    const account = await hub.account(AMY);
    const page = join(account.home, folder, 'p1.html');
    expect(statSync(page).uid).toBe(account.uid);
    const html = readFileSync(page, 'utf8');
    expect(html).toContain('p1 (Score: 1.0 / 1.0)'); // amy's answer passes the test
    const bobsPage = readFileSync(join(hub.courseDir, 'feedback', BOB, 'ps1', 'p1.html'), 'utf8');
    expect(bobsPage).toContain('p1 (Score: 0.0 / 1.0)');
    expect(html).not.toBe(bobsPage);
    // Bob's fetch brings his own page only, and nothing of Amy's is in his home.
    const bobs = await hub.exchange.fetchFeedback(COURSE, 'ps1', bob);
    const bobAccount = await hub.account(BOB);
    expect(readFileSync(join(bobAccount.home, bobs.folders[0]!.folder, 'p1.html'), 'utf8')).toBe(bobsPage);
    expect((await hub.exchange.list(COURSE, amy)).assignments[0]!.feedback).toEqual([timestamp]);
    expect(readdirSync(join(bobAccount.home, COURSE, 'ps1', 'feedback'))).toEqual([
      bobs.folders[0]!.timestamp,
    ]);
  });

  it('unrelease withdraws: nothing can be fetched or submitted against it; releasing again is a new version', async () => {
    expect(await hub.exchange.unrelease(COURSE, 'ps1', prof)).toEqual({ version: 1 });
    await expect(hub.exchange.fetch(COURSE, 'ps1', amy)).rejects.toBeInstanceOf(NotReleasedError);
    await expect(hub.exchange.submit(COURSE, 'ps1', amy)).rejects.toBeInstanceOf(NotReleasedError);
    expect((await hub.exchange.list(COURSE, amy)).assignments).toEqual([]);
    expect(await hub.exchange.release(COURSE, 'ps1', prof)).toMatchObject({ version: 2, unchanged: false });
  });
});
