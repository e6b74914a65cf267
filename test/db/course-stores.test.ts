// The stores of courses, the exchange and jobs (src/db/stores/courses-roles.ts, exchange.ts,
// jobs.ts) on both databases, where the services' tests do not reach: a withdrawn release, the
// folders the sweep keeps, roles going with their user, jobs a restarted hub marks failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseStores } from '../../src/db/stores/course-stores.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from './backends.js';

describe.each(BACKENDS)('course, exchange and job stores on %s', (backend) => {
  let database: TestDatabase;
  let stores: CourseStores;
  let courseId: number;

  beforeAll(async () => {
    database = await openTestDatabase(backend);
    stores = new CourseStores(database.db);
    courseId = (
      await stores.courses.insert({ name: 'c101', title: 'C', directory: '/srv/c101', unixGroup: null })
    ).id;
  });
  afterAll(async () => {
    await database.dispose();
  });

  it('keeps one role per user and course; a removed user takes their roles along', async () => {
    const amy = await stores.users.insert({ name: 'amy' });
    await stores.courses.setRole(courseId, amy.id, 'student');
    await stores.courses.setRole(courseId, amy.id, 'grader');
    expect(await stores.courses.roleOf(courseId, amy.id)).toBe('grader');
    expect((await stores.courses.members(courseId)).map((m) => [m.userName, m.role])).toEqual([
      ['amy', 'grader'],
    ]);
    await database.db.deleteFrom('users').where('id', '=', amy.id).execute();
    expect(await stores.courses.members(courseId)).toEqual([]);
  });

  it('records releases with versions, withdraws them, and lists every recorded folder', async () => {
    const release = await stores.exchange.insertRelease({
      courseId,
      assignment: 'ps1',
      version: 1,
      folder: 'c101/releases/ps1/v1',
      checksum: 'a'.repeat(64),
      files: 1,
      bytes: 3_000_000_000, // bigint column: more than 32 bits
      releasedAt: '2026-12-03 15:00:00.000000',
      releasedBy: 'prof',
    });
    await stores.exchange.withdraw(release.id, '2026-12-03 16:00:00.000000', 'prof');
    expect(await stores.exchange.releaseById(release.id)).toMatchObject({
      bytes: 3_000_000_000,
      withdrawnAt: '2026-12-03 16:00:00.000000',
      withdrawnBy: 'prof',
    });
    await stores.exchange.insertSubmission({
      courseId,
      assignment: 'ps1',
      student: 'amy',
      userId: null,
      timestamp: '2026-12-03 15:30:00.000000',
      folder: 'c101/submissions/amy/ps1/x',
      checksum: 'b'.repeat(64),
      files: 1,
      bytes: 10,
      releaseId: release.id,
      warnings: ['one', 'two'],
    });
    expect((await stores.exchange.submissions(courseId, { student: 'amy' }))[0]?.warnings).toEqual([
      'one',
      'two',
    ]);
    expect([...(await stores.exchange.recordedFolders())].sort()).toEqual([
      'c101/releases/ps1/v1',
      'c101/submissions/amy/ps1/x',
    ]);
  });

  it('keeps jobs with their progress; a restarted hub marks the running ones failed', async () => {
    const job = await stores.jobs.insert({
      courseId,
      kind: 'collect',
      assignment: 'ps1',
      options: { update: true },
      createdBy: 'prof',
    });
    await stores.jobs.progress(job.id, { done: 3, total: 10, failed: 1, message: 'collecting' });
    expect(await stores.jobs.running(courseId, 'collect', 'ps1')).toMatchObject({
      done: 3,
      total: 10,
      options: { update: true },
    });
    expect(await stores.jobs.failRunning('the hub restarted')).toBe(1);
    expect(await stores.jobs.find(job.id)).toMatchObject({ state: 'failed', message: 'the hub restarted' });
    expect(await stores.jobs.running(courseId, 'collect', 'ps1')).toBeUndefined();
  });
});
