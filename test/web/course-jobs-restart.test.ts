// A hub restart marks the course jobs the previous hub process was running as failed (they ran in
// that process and are gone), with a message that says to run them again; finished jobs are left
// as they were. Two real `startHub` runs over the same data directory and database.
import { afterAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../src/app/start.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { startRealHub, type RealHub } from '../support/hub.js';

const COURSE = 'chrestartjobs';

describe('course jobs across a hub restart', () => {
  let first: RealHub | undefined;
  let second: RunningHub | undefined;

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await removeCourseGroup(COURSE).catch(() => false);
  });

  it(
    'a running job of the hub before is failed at start; a finished one is kept',
    { timeout: 120_000 },
    async () => {
      first = await startRealHub();
      const { courses, courseStores } = first.hub.services;
      const course = await courses.create({ id: COURSE });
      const job = { courseId: course.id, kind: 'autograde', assignment: 'ps1', options: {}, createdBy: null };
      const running = await courseStores.jobs.insert(job);
      const finished = await courseStores.jobs.insert(job);
      await courseStores.jobs.finish(finished.id, 'succeeded', 'graded 3', null);
      await first.hub.stop();

      second = await startHub({ configFile: first.configFile, env: {}, print: () => undefined });
      const jobs = second.services.courseStores.jobs;
      expect(await jobs.find(running.id)).toMatchObject({
        state: 'failed',
        message: 'The hub restarted while this ran; run it again.',
      });
      expect(await jobs.find(finished.id)).toMatchObject({ state: 'succeeded', message: 'graded 3' });
    },
  );
});
