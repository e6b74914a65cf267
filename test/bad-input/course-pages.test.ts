// Bad input at the course pages (issue 12; issue 17's rule: refused by name, nothing changed):
// assignment ids that could leave their folder or break a line (`..`, `../x`, `a/b`, NUL, a
// newline, a control character, empty) in the forms and the URLs of the instructor's and the
// student's actions, an unknown job kind, a due date that is not one, and a course id that is not
// one. Each answer names what was refused; no job row, no gradebook assignment, no release, no
// file in the course directory or the student's home appears.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAssignments, ensureCourse } from '../../src/gradebook/courses.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { startCourseHub, type CourseHub } from '../web/support/course-hub.js';

const PROF = 'chbp_prof';
const AMY = 'chbp_amy';
const A = 'bpa';
const isRoot = process.getuid?.() === 0;

const BAD_IDS = ['..', '../escape', 'a/b', 'a\0b', 'a\nb', 'tab\there', ''];

describe.runIf(isRoot)('bad input at the course pages', () => {
  let ch: CourseHub;
  const page = (path = '') => `/hub/courses/${A}${path}`;

  /** What a refusal must leave as it was. */
  async function state() {
    const { courseStores, courses } = ch.hub.services;
    const course = (await courses.find(A))!;
    const gradebook = courseStores.gradebook;
    const account = await lookupUnixAccount(AMY);
    return {
      jobs: await courseStores.jobs.ofCourse(course.id),
      releases: await courseStores.exchange.releases(course.id),
      assignments: await listAssignments(gradebook, await ensureCourse(gradebook, A)),
      courseDir: readdirSync(ch.courseDirA).sort(),
      home: account && existsSync(join(account.home, A)) ? readdirSync(join(account.home, A)).sort() : [],
    };
  }

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: 'chbp_gr',
        students: [AMY],
        otherProf: 'chbp_op',
        otherStudent: 'chbp_os',
        admin: 'chbp_ad',
      },
      { a: A, b: 'bpb' },
    );
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
  });

  it('assignment ids in forms: refused by name, nothing made', async () => {
    const before = await state();
    for (const bad of BAD_IDS) {
      for (const kind of ['collect', 'autograde', 'feedback']) {
        const response = await ch.as(PROF, 'POST', page('/jobs'), { kind, assignment: bad });
        const body = await response.text();
        expect([bad, kind, response.status]).toEqual([bad, kind, 400]);
        expect(body).toContain(`is not a valid assignment id.`);
      }
      const added = await ch.as(PROF, 'POST', page('/assignments'), { name: bad, duedate: '' });
      expect([bad, added.status]).toEqual([bad, 400]);
      expect(await added.text()).toMatch(/is not a valid assignment id/);
    }
    expect(await state()).toEqual(before);
  });

  it('assignment ids in URLs: refused by name, nothing made', async () => {
    const before = await state();
    for (const bad of ['a%2Fb', '..%2Fescape', 'a%00b', 'a%0Ab', 'a%5Cb']) {
      for (const [who, action] of [
        [PROF, 'generate'],
        [PROF, 'release'],
        [PROF, 'unrelease'],
        [AMY, 'fetch'],
        [AMY, 'submit'],
        [AMY, 'validate'],
      ] as const) {
        const response = await ch.as(who, 'POST', page(`/${action}/${bad}`));
        const body = await response.text();
        expect([bad, action, response.status]).toEqual([bad, action, 400]);
        // unrelease finds no release of such a name (the exchange checks no name there): also a refusal by name.
        expect(body).toMatch(
          action === 'unrelease' ? /of bpa is not released\./ : /is not a valid assignment id\./,
        );
      }
    }
    expect(await state()).toEqual(before);
  });

  it('an unknown job kind, a due date that is not one, and a course id that is not one', async () => {
    const before = await state();
    const kind = await ch.as(PROF, 'POST', page('/jobs'), { kind: 'rm -rf', assignment: 'ps1' });
    expect(kind.status).toBe(400);
    expect(await kind.text()).toContain('&quot;rm -rf&quot; is not a job of a course.');
    const due = await ch.as(PROF, 'POST', page('/assignments'), { name: 'ps1', duedate: '2024-02-30T10:00' });
    expect(due.status).toBe(400);
    expect(await due.text()).toContain('&quot;2024-02-30T10:00&quot; is not a due date.');
    const course = await ch.as(PROF, 'GET', '/hub/courses/..%2F..%2Fetc');
    expect(course.status).toBe(403);
    expect(await course.text()).not.toContain('id="gradebook"');
    expect(await state()).toEqual(before);
  });
});
