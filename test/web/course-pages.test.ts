// The course pages through a real hub (issue 12, items 4 and 5), over HTTP with browser sessions:
// the instructor adds, generates and releases; a student fetches and submits from the student
// page and sees the receipt the exchange keeps; the instructor collects, autogrades and releases
// feedback as jobs (polled through their JSON endpoint); the student sees their own feedback with
// the gradebook's score, and another student cannot open it. Real Unix accounts, real sandboxed
// grading kernels, no user server (the exchange reaches the files while servers are stopped).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADES_CSV_COLUMNS } from '../../src/gradebook/export-grades-csv.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { answerIn, startCourseHub, waitForJob, type CourseHub } from './support/course-hub.js';

const PROF = 'chcp_prof';
const GRADER = 'chcp_grader';
const AMY = 'chcp_amy';
const BOB = 'chcp_bob';
const OTHER_PROF = 'chcp_oprof';
const OTHER_STUDENT = 'chcp_ostud';
const ADMIN = 'chcp_admin';
const A = 'cpa';
const B = 'cpb';

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)('course pages', () => {
  let ch: CourseHub;
  const page = (path = '') => `/hub/courses/${A}${path}`;
  const text = async (response: Response) => ({ status: response.status, body: await response.text() });

  async function startJob(kind: string): Promise<number> {
    const started = await ch.as(PROF, 'POST', page('/jobs'), { kind, assignment: 'ps1' });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe(page());
    const body = await (await ch.as(PROF, 'GET', page())).text();
    return Number(/data-job="(\d+)"/.exec(body)![1]);
  }

  const answer = (student: string, code: string) => answerIn(student, A, code);

  beforeAll(async () => {
    ch = await startCourseHub(
      {
        prof: PROF,
        grader: GRADER,
        students: [AMY, BOB],
        otherProf: OTHER_PROF,
        otherStudent: OTHER_STUDENT,
        admin: ADMIN,
      },
      { a: A, b: B },
    );
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
  });

  it('the home page links to the courses the user has a role in, and no other', async () => {
    const amy = await text(await ch.as(AMY, 'GET', '/hub/home'));
    expect(amy.body).toContain(`href="/hub/courses/${A}"`);
    expect(amy.body).not.toContain(`/hub/courses/${B}`);
    const other = await text(await ch.as(OTHER_STUDENT, 'GET', '/hub/home'));
    expect(other.body).toContain(`href="/hub/courses/${B}"`);
    expect(other.body).not.toContain(`/hub/courses/${A}`);
    const admin = await text(await ch.as(ADMIN, 'GET', '/hub/home'));
    expect(admin.body).toContain(`href="/hub/courses/${A}"`);
    expect(admin.body).toContain(`href="/hub/courses/${B}"`);
  });

  it('the instructor adds ps1 with a due date, generates and releases it; nothing shows before', async () => {
    expect((await text(await ch.as(AMY, 'GET', page()))).body).toContain('Nothing is released yet.');
    const added = await text(
      await ch.as(PROF, 'POST', page('/assignments'), { name: 'ps1', duedate: '2099-01-02T03:04' }),
    );
    expect(added.status).toBe(200);
    expect(added.body).toContain('Assignment ps1 saved.');
    const bad = await text(await ch.as(PROF, 'POST', page('/assignments'), { name: 'ps1', duedate: 'soon' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('&quot;soon&quot; is not a due date.');
    const generated = await text(await ch.as(PROF, 'POST', page('/generate/ps1')));
    expect(generated.body).toContain('Generated release/ps1/: p1.ipynb.');
    const released = await text(await ch.as(PROF, 'POST', page('/release/ps1')));
    expect(released.body).toContain('Released ps1 as version 1: p1.ipynb.');
    expect(released.body).toMatch(/data-assignment="ps1" data-released="yes"/);
    expect(released.body).toContain('2099-01-02 03:04:00');
  });

  it('generate shows what is wrong with a source notebook, and releases nothing', async () => {
    mkdirSync(join(ch.courseDirA, 'source', 'broken'), { recursive: true });
    writeFileSync(join(ch.courseDirA, 'source', 'broken', 'nb.ipynb'), '{"cells": [');
    const generated = await text(await ch.as(PROF, 'POST', page('/generate/broken')));
    expect(generated.status).toBe(400);
    expect(generated.body).toContain('class="flash error"');
    expect(generated.body).toContain('nb.ipynb');
    expect(generated.body).toMatch(/data-assignment="broken" data-released="no"/);
    // Release generates first when release/broken/ is missing: it says generate's error, and
    // releases nothing.
    const released = await text(await ch.as(PROF, 'POST', page('/release/broken')));
    expect(released.status).toBe(400);
    expect(released.body).toMatch(/class="flash error"[^>]*>[^<]*nb\.ipynb: is not valid JSON/);
    expect(released.body).toMatch(/data-assignment="broken" data-released="no"/);
  });

  it('a student fetches and submits from the page; the receipt is the exchange’s', async () => {
    const before = await text(await ch.as(AMY, 'GET', page()));
    expect(before.body).toContain('data-state="not fetched"');
    expect(before.body).toContain('2099-01-02 03:04:00 UTC');
    const fetched = await text(await ch.as(AMY, 'POST', page('/fetch/ps1')));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toContain(
      `Fetched ps1 (version 1) into ${A}/ps1/ of your server. Written: p1.ipynb.`,
    );
    expect(fetched.body).toContain('data-state="fetched"');
    await answer(AMY, 'a = 1');
    const submitted = await text(await ch.as(AMY, 'POST', page('/submit/ps1')));
    const listed = await ch.hub.services.exchange.list(A, { name: AMY });
    const receipt = listed.assignments[0]!.submissions[0]!;
    expect(submitted.body).toContain(
      `Submitted ps1 at ${receipt.timestamp} UTC (1 files). Receipt: sha256 ${receipt.checksum}`,
    );
    expect(submitted.body).toContain(`<code class="checksum">${receipt.checksum}</code>`);
    expect(submitted.body).toContain('data-state="submitted"');

    await ch.as(BOB, 'POST', page('/fetch/ps1'));
    await answer(BOB, 'a = 2');
    const account = (await lookupUnixAccount(BOB))!;
    writeFileSync(join(account.home, A, 'ps1', 'extra.ipynb'), '{"cells": []}');
    const bobs = await text(await ch.as(BOB, 'POST', page('/submit/ps1')));
    // Validate, in the grading sandbox, on each one's own files: nbgrader's report.
    const amyValid = await text(await ch.as(AMY, 'POST', page('/validate/ps1')));
    expect(amyValid.status).toBe(200);
    expect(amyValid.body).toContain('Validate p1.ipynb:\nSuccess! Your notebook passes all the tests.');
    const bobValid = await text(await ch.as(BOB, 'POST', page('/validate/ps1')));
    expect(bobValid.body).toContain('class="flash error"');
    expect(bobValid.body).toContain('AssertionError');
    expect(bobValid.body).not.toContain('Success!');
    expect(bobs.body).toContain(
      'Warning: Possible missing notebooks and/or extra notebooks submitted for assignment ps1',
    );
    expect(bobs.body).not.toContain(receipt.checksum);
    // The warnings stay with the receipt (the page lists every submission of one's own).
    expect(bobs.body).toMatch(
      /<td class="warnings"><pre>Possible missing notebooks and\/or extra notebooks submitted for assignment ps1:/,
    );
    const amyAgain = await text(await ch.as(AMY, 'GET', page()));
    expect(amyAgain.body).toContain(receipt.checksum);
    expect(amyAgain.body).not.toContain('Possible missing notebooks');
  });

  it(
    'collect, autograde and feedback run as jobs; each student sees only their own feedback and score',
    { timeout: 300_000 },
    async () => {
      for (const kind of ['collect', 'autograde', 'feedback']) {
        const id = await startJob(kind);
        const job = await waitForJob(ch, PROF, A, id);
        expect([kind, job.state, job.message]).toEqual([kind, 'succeeded', expect.any(String)]);
        expect(job.done).toBe(job.total);
      }
      const prof = await text(await ch.as(PROF, 'GET', page()));
      expect(prof.body).toMatch(/<td class="submitted">2<\/td>\s*<td class="autograded">2<\/td>/);
      const gradebookRow = (student: string) =>
        new RegExp(`<tr data-student="${student}">([\\s\\S]*?)</tr>`).exec(prof.body)![1]!;
      expect(gradebookRow(AMY)).toContain('data-assignment="ps1" data-score="1"');
      expect(gradebookRow(AMY)).toContain('p1: 1.0 / 1.0');
      expect(gradebookRow(BOB)).toContain('data-assignment="ps1" data-score="0"');

      const amy = await text(await ch.as(AMY, 'GET', page()));
      expect(amy.body).toContain('data-state="feedback ready"');
      const link = /href="(\/hub\/courses\/[^"]+\/feedback\/\d+\/p1\.html)"/.exec(amy.body)![1]!;
      const feedback = await ch.as(AMY, 'GET', link);
      expect(feedback.status).toBe(200);
      expect(feedback.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
      expect(await feedback.text()).toContain('p1 (Score: 1.0 / 1.0)');
      const bobs = await text(await ch.as(BOB, 'GET', page()));
      expect(bobs.body).not.toContain(link);
      expect((await ch.as(BOB, 'GET', link)).status).toBe(404);
      expect((await ch.as(GRADER, 'GET', link)).status).toBe(200);

      const csv = await text(await ch.as(GRADER, 'GET', page('/grades.csv')));
      expect(csv.status).toBe(200);
      const [header, ...rows] = csv.body.trim().split('\n');
      expect(header).toBe(GRADES_CSV_COLUMNS.join(','));
      expect(rows.map((r) => r.split(',')[3]).sort()).toEqual([AMY, BOB]);
    },
  );

  // Every route of the course pages, for each kind of caller (the must-hold authorization matrix,
  // over these pages): the status each gets, and nothing changed by a refused one.
  it('authorization matrix: anonymous, student, student of another course, grader, instructor, instructor of another course, admin', async () => {
    const amyPage = await text(await ch.as(AMY, 'GET', page()));
    const feedbackLink = /href="(\/hub\/courses\/[^"]+\/feedback\/\d+\/p1\.html)"/.exec(amyPage.body)![1]!;
    const jobId = Number(/data-job="(\d+)"/.exec((await text(await ch.as(PROF, 'GET', page()))).body)![1]);
    const LOGIN = 302;
    type Row = [
      method: 'GET' | 'POST',
      path: string,
      form: Record<string, string> | undefined,
      expected: Record<string, number | null>,
      accept?: string,
    ];
    // null: allowed but not run here (it would change the course; the workflow above ran it).
    const rows: Row[] = [
      [
        'GET',
        page(),
        undefined,
        {
          anon: LOGIN,
          [AMY]: 200,
          [OTHER_STUDENT]: 403,
          [GRADER]: 200,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'GET',
        `/hub/courses/${B}`,
        undefined,
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 200,
          [GRADER]: 403,
          [PROF]: 403,
          [OTHER_PROF]: 200,
          [ADMIN]: 200,
        },
      ],
      // A course that does not exist is refused as one the caller is not in (no way to probe for
      // ids); an admin is told it does not exist.
      [
        'GET',
        '/hub/courses/nosuchcourse',
        undefined,
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: 403,
          [OTHER_PROF]: 403,
          [ADMIN]: 404,
        },
      ],
      [
        'GET',
        page('/grades.csv'),
        undefined,
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 200,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'GET',
        page(`/jobs/${jobId}`),
        undefined,
        {
          anon: 403,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 200,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
        'application/json',
      ],
      [
        'GET',
        `/hub/courses/${B}/jobs/${jobId}`,
        undefined,
        { anon: 403, [OTHER_PROF]: 404, [ADMIN]: 404 },
        'application/json',
      ],
      [
        'GET',
        feedbackLink,
        undefined,
        {
          anon: LOGIN,
          [AMY]: 200,
          [BOB]: 404,
          [OTHER_STUDENT]: 403,
          [GRADER]: 200,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'GET',
        feedbackLink.replace(`/courses/${A}/`, `/courses/${B}/`),
        undefined,
        { [OTHER_STUDENT]: 404, [OTHER_PROF]: 404 },
      ],
      ['POST', page('/fetch/ps1'), {}, { anon: LOGIN, [AMY]: 200, [OTHER_STUDENT]: 403, [OTHER_PROF]: 403 }],
      ['POST', page('/validate/ps1'), {}, { anon: LOGIN, [OTHER_STUDENT]: 403, [OTHER_PROF]: 403 }],
      [
        'POST',
        page('/submit/ps1'),
        {},
        { anon: LOGIN, [AMY]: null, [OTHER_STUDENT]: 403, [OTHER_PROF]: 403 },
      ],
      [
        'POST',
        page('/assignments'),
        { name: 'ps1', duedate: '2099-01-02T03:04' },
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'POST',
        page('/generate/ps1'),
        {},
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'POST',
        page('/release/ps1'),
        {},
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'POST',
        page('/unrelease/ps1'),
        {},
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: null,
          [OTHER_PROF]: 403,
          [ADMIN]: null,
        },
      ],
      [
        'POST',
        page('/jobs'),
        { kind: 'collect', assignment: 'ps1' },
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 303,
          [PROF]: 303,
          [OTHER_PROF]: 403,
          [ADMIN]: 303,
        },
      ],
      [
        'POST',
        page('/students'),
        { name: BOB },
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: 200,
          [OTHER_PROF]: 403,
          [ADMIN]: 200,
        },
      ],
      [
        'POST',
        page(`/students/${AMY}/remove`),
        {},
        {
          anon: LOGIN,
          [AMY]: 403,
          [OTHER_STUDENT]: 403,
          [GRADER]: 403,
          [PROF]: null,
          [OTHER_PROF]: 403,
          [ADMIN]: null,
        },
      ],
    ];
    const { exchange } = ch.hub.services.courseStores;
    const course = (await ch.hub.services.courses.find(A))!;
    const releasesBefore = await exchange.releases(course.id);
    const got: string[] = [];
    const wanted: string[] = [];
    for (const [method, path, form, expected, accept] of rows) {
      for (const [key, status] of Object.entries(expected)) {
        if (status === null) continue;
        const caller = key === 'anon' ? null : key;
        const response = await ch.as(caller, method, path, form, accept);
        await ch.hub.services.courseJobs.idle();
        got.push(`${method} ${path} as ${key}: ${response.status}`);
        wanted.push(`${method} ${path} as ${key}: ${status}`);
        const body = await response.text();
        // A refused caller sees nothing of the course: no gradebook, no source, no other student.
        if (status === 403 || status === 404) {
          expect(body).not.toContain('id="gradebook"');
          if (caller !== BOB) expect(body).not.toContain(BOB);
          expect(body).not.toContain('BEGIN SOLUTION');
        }
      }
    }
    expect(got).toEqual(wanted);
    // Nothing a refusal could have changed did: the same release, and amy is still a student.
    expect(await exchange.releases(course.id)).toEqual(releasesBefore);
    expect(await ch.hub.services.courses.roleOf(A, AMY)).toBe('student');
    // The student view holds no gradebook, no other student and no instructor button.
    expect(amyPage.body).not.toContain('id="gradebook"');
    expect(amyPage.body).not.toContain(BOB);
    expect(amyPage.body).not.toContain('data-action="release"');
  });

  it('a hub restart marks a running job failed', async () => {
    const { jobs } = ch.hub.services.courseStores;
    const course = (await ch.hub.services.courses.find(A))!;
    const job = await jobs.insert({
      courseId: course.id,
      kind: 'collect',
      assignment: 'ps1',
      options: {},
      createdBy: PROF,
    });
    expect(await ch.hub.services.courseJobs.failInterrupted()).toBe(1);
    const after = await waitForJob(ch, PROF, A, job.id);
    expect(after).toMatchObject({ state: 'failed', message: expect.stringContaining('restarted') });
  });
});
