// The course pages under a hub.baseUrl prefix (as behind a shared web server): every link, form
// action and script of the student and instructor pages, and every redirect, stays under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCourseHub, type CourseHub } from './support/course-hub.js';

const PREFIX = '/jhub/';
const PROF = 'chbu_prof';
const AMY = 'chbu_amy';
const A = 'bua';
const isRoot = process.getuid?.() === 0;

/** Every href, action and src of a page. */
const addresses = (body: string) =>
  [...body.matchAll(/(?<![\w-])(?:href|action|src)="([^"]*)"/g)].map((m) => m[1]!);

describe.runIf(isRoot)(`course pages under hub.baseUrl ${PREFIX}`, () => {
  let ch: CourseHub;
  const page = (path = '') => `${PREFIX}hub/courses/${A}${path}`;

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: 'chbu_gr',
        students: [AMY],
        otherProf: 'chbu_op',
        otherStudent: 'chbu_os',
        admin: 'chbu_ad',
      },
      { a: A, b: 'bub' },
      PREFIX,
    );
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
  });

  it('the pages, forms, redirects and script stay under the prefix', async () => {
    const home = await (await ch.as(AMY, 'GET', `${PREFIX}hub/home`)).text();
    expect(home).toContain(`href="${page()}"`);
    await ch.as(PROF, 'POST', page('/generate/ps1'));
    const released = await ch.as(PROF, 'POST', page('/release/ps1'));
    expect(released.status).toBe(200);
    const prof = await released.text();
    const job = await ch.as(PROF, 'POST', page('/jobs'), { kind: 'collect', assignment: 'ps1' });
    expect([job.status, job.headers.get('location')]).toEqual([303, page()]);
    await ch.hub.services.courseJobs.idle();
    const fetched = await ch.as(AMY, 'POST', page('/fetch/ps1'));
    expect(fetched.status).toBe(200);
    const student = await fetched.text();
    for (const body of [prof, student])
      expect(addresses(body).filter((a) => !a.startsWith(PREFIX) && !a.startsWith('#'))).toEqual([]);
    expect(addresses(prof)).toContain(`${PREFIX}hub/courses.js`);
    expect((await ch.as(PROF, 'GET', `${PREFIX}hub/courses.js`)).status).toBe(200);
    const anonymous = await ch.as(null, 'GET', page());
    expect(anonymous.headers.get('location')).toMatch(new RegExp(`^${PREFIX}hub/login`));
  });
});
