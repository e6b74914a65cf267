// Every course route of the REST API called as anonymous, a student of the course, a student of
// another course, a grader, an instructor, an instructor of another course, an admin, an admin's
// token cut down to reading users, and a student's token cut down to reading courses; each
// answer's status is checked against the table (issue 12, "Must hold: authorization matrix").
// A status other than 403 for an allowed caller is the service's own answer once past the
// checks (409: nothing released yet). The last test fails if a course route is not in the table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerToken } from '../../../src/hub/tokens/index.js';
import { removeCourseGroup } from '../../../src/sandbox/course-groups.js';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

const CALLERS = [
  'anonymous',
  'student',
  'otherStudent',
  'grader',
  'instructor',
  'otherInstructor',
  'admin',
  'adminNarrowToken',
  'studentReadToken',
] as const;
type Caller = (typeof CALLERS)[number];
type Expect = [number, number, number, number, number, number, number, number, number];

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  route: string;
  url: string | (() => Promise<string>);
  body?: unknown | (() => unknown);
  /** In the order of CALLERS. */
  expect: Expect;
}

const A = 'authz-a';
const B = 'authz-b';
const ASSIGNMENT = `/hub/api/courses/${A}/assignments/ps1`;
let hub: ApiTestHub;
let dir: string;
let serial = 0;

async function enrolledZed(): Promise<string> {
  const name = `zed${++serial}`;
  await hub.users.create({ name });
  await hub.services.courses.enroll(A, [{ name, role: 'student' }]);
  return `/hub/api/courses/${A}/members/${name}`;
}

const TABLE: Row[] = [
  {
    method: 'GET',
    route: '/hub/api/courses',
    url: '/hub/api/courses',
    expect: [403, 200, 200, 200, 200, 200, 200, 403, 200],
  },
  {
    method: 'POST',
    route: '/hub/api/courses',
    url: '/hub/api/courses',
    body: () => ({ id: 'authz-c', directory: join(dir, 'c') }),
    expect: [403, 403, 403, 403, 403, 403, 201, 403, 403],
  },
  // An empty or relative directory would be the hub's working directory: refused.
  {
    method: 'POST',
    route: '/hub/api/courses',
    url: '/hub/api/courses',
    body: { id: 'authz-new', directory: '' },
    expect: [403, 403, 403, 403, 403, 403, 400, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses',
    url: '/hub/api/courses',
    body: { id: 'authz-new', directory: 'relative/dir' },
    expect: [403, 403, 403, 403, 403, 403, 400, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course',
    url: `/hub/api/courses/${A}`,
    expect: [403, 200, 403, 200, 200, 403, 200, 403, 200],
  },
  // A course that does not exist answers as one the caller is not in.
  {
    method: 'GET',
    route: '/hub/api/courses/:course',
    url: '/hub/api/courses/nosuch',
    expect: [403, 403, 403, 403, 403, 403, 404, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course/members',
    url: `/hub/api/courses/${A}/members`,
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'PUT',
    route: '/hub/api/courses/:course/members/:user',
    url: `/hub/api/courses/${A}/members/amy`,
    body: { role: 'student' },
    expect: [403, 403, 403, 403, 200, 403, 200, 403, 403],
  },
  // A student cannot make themself an instructor.
  {
    method: 'PUT',
    route: '/hub/api/courses/:course/members/:user',
    url: `/hub/api/courses/${A}/members/amy`,
    body: { role: 'instructor' },
    expect: [403, 403, 403, 403, 200, 403, 200, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/courses/:course/members/:user',
    url: enrolledZed,
    expect: [403, 403, 403, 403, 204, 403, 204, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/release',
    url: `${ASSIGNMENT}/release`,
    expect: [403, 403, 403, 403, 409, 403, 409, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/courses/:course/assignments/:assignment/release',
    url: `${ASSIGNMENT}/release`,
    expect: [403, 403, 403, 403, 409, 403, 409, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/fetch',
    url: `${ASSIGNMENT}/fetch`,
    expect: [403, 409, 403, 409, 409, 403, 409, 403, 403],
  },
  // The command line's fetch_assignment (it writes ./ASSIGNMENT itself): the same rule as fetch.
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/fetch/files',
    url: `${ASSIGNMENT}/fetch/files`,
    expect: [403, 409, 403, 409, 409, 403, 409, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/submit',
    url: `${ASSIGNMENT}/submit`,
    expect: [403, 409, 403, 409, 409, 403, 409, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/collect',
    url: `${ASSIGNMENT}/collect`,
    body: {},
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/feedback/release',
    url: `${ASSIGNMENT}/feedback/release`,
    body: {},
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/feedback/fetch',
    url: `${ASSIGNMENT}/feedback/fetch`,
    expect: [403, 404, 403, 404, 404, 403, 404, 403, 403],
  },
  // An instructor's work for the command line: generate and due dates are the instructor's,
  // autograde, feedback, the job, the lists and grades.csv the graders' too.
  {
    method: 'GET',
    route: '/hub/api/courses/:course/assignments',
    url: `/hub/api/courses/${A}/assignments`,
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'PUT',
    route: '/hub/api/courses/:course/assignments/:assignment',
    url: ASSIGNMENT,
    body: { duedate: '2031-01-02 03:04' },
    expect: [403, 403, 403, 403, 200, 403, 200, 403, 403],
  },
  // Past the checks: source/ps1 does not exist, so there is nothing to generate.
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/generate',
    url: `${ASSIGNMENT}/generate`,
    expect: [403, 403, 403, 403, 400, 403, 400, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/autograde',
    url: `${ASSIGNMENT}/autograde`,
    body: { force: true },
    expect: [403, 403, 403, 202, 202, 403, 202, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/assignments/:assignment/feedback/generate',
    url: `${ASSIGNMENT}/feedback/generate`,
    body: {},
    expect: [403, 403, 403, 202, 202, 403, 202, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course/jobs/:id',
    url: async () => {
      const job = await hub.services.courseJobs.start(A, 'autograde', 'ps1', { name: 'prof', admin: false });
      return `/hub/api/courses/${A}/jobs/${job.id}`;
    },
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  // A job of course A asked for under course B is no job of B, for B's instructor and an admin.
  {
    method: 'GET',
    route: '/hub/api/courses/:course/jobs/:id',
    url: async () => {
      const job = await hub.services.courseJobs.start(A, 'autograde', 'ps1', { name: 'prof', admin: false });
      return `/hub/api/courses/${B}/jobs/${job.id}`;
    },
    expect: [403, 403, 403, 403, 403, 404, 404, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course/grades.csv',
    url: `/hub/api/courses/${A}/grades.csv`,
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course/students',
    url: `/hub/api/courses/${A}/students`,
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  // The roster from the command line (db student add|remove|import, db assignment remove): the
  // instructors' alone. Past the checks: a fresh user or student each time.
  {
    method: 'PUT',
    route: '/hub/api/courses/:course/students/:student',
    url: async () => `/hub/api/courses/${A}/students/newbie${++serial}`,
    body: { first_name: 'New' },
    expect: [403, 403, 403, 403, 200, 403, 200, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/courses/:course/students/:student',
    url: async () => (await enrolledZed()).replace('/members/', '/students/'),
    expect: [403, 403, 403, 403, 204, 403, 204, 403, 403],
  },
  {
    method: 'POST',
    route: '/hub/api/courses/:course/students/import',
    url: `/hub/api/courses/${A}/students/import`,
    body: () => ({ csv: `id,first_name\nimported${++serial},Imp\n` }),
    expect: [403, 403, 403, 403, 200, 403, 200, 403, 403],
  },
  {
    method: 'DELETE',
    route: '/hub/api/courses/:course/assignments/:assignment',
    url: async () => {
      const name = `gone${++serial}`;
      await hub.services.courseWork.addAssignment(A, name, undefined, { name: 'prof' });
      return `/hub/api/courses/${A}/assignments/${name}`;
    },
    expect: [403, 403, 403, 403, 204, 403, 204, 403, 403],
  },
  // Grading by hand (issue 14): graders, instructors and admins; nobody else learns whether a
  // submission is there (404 once past the checks: ps1 has no submission of amy's).
  {
    method: 'GET',
    route: '/hub/api/courses/:course/assignments/:assignment/submissions',
    url: `${ASSIGNMENT}/submissions`,
    expect: [403, 403, 403, 200, 200, 403, 200, 403, 403],
  },
  {
    method: 'GET',
    route: '/hub/api/courses/:course/assignments/:assignment/grading/:student/:notebook',
    url: `${ASSIGNMENT}/grading/amy/problem1`,
    expect: [403, 403, 403, 404, 404, 403, 404, 403, 403],
  },
  {
    method: 'PUT',
    route: '/hub/api/courses/:course/assignments/:assignment/grading/:student/:notebook',
    url: `${ASSIGNMENT}/grading/amy/problem1`,
    body: { cell: 'q1', field: 'comment', value: 'ok', baseVersion: 0 },
    expect: [403, 403, 403, 404, 404, 403, 404, 403, 403],
  },
];

const headersFor = {} as Record<Caller, () => Promise<Record<string, string>>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-courses-api-'));
  hub = await startApiTestHub();
  for (const name of ['amy', 'ben', 'gina', 'prof', 'pat']) await hub.users.create({ name });
  await hub.users.create({ name: 'boss', admin: true });
  const { courses } = hub.services;
  await courses.create({ id: A, directory: join(dir, A) });
  await courses.create({ id: B, directory: join(dir, B) });
  await courses.enroll(A, [
    { name: 'amy', role: 'student' },
    { name: 'gina', role: 'grader' },
    { name: 'prof', role: 'instructor' },
  ]);
  await courses.enroll(B, [
    { name: 'ben', role: 'student' },
    { name: 'pat', role: 'instructor' },
  ]);
  const token = (name: string, scopes?: string[]) => () => hub.tokenHeaders(name, scopes);
  Object.assign(headersFor, {
    anonymous: async () => ({}),
    student: () => hub.sessionHeaders('amy'),
    otherStudent: token('ben'),
    grader: token('gina'),
    instructor: token('prof'),
    otherInstructor: token('pat'),
    admin: token('boss'),
    adminNarrowToken: token('boss', ['read:users']),
    studentReadToken: token('amy', ['read:courses!user=amy']),
  });
});
afterAll(async () => {
  await hub?.services.courseJobs.idle();
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
  for (const course of [A, B, 'authz-c']) await removeCourseGroup(course).catch(() => undefined);
});

describe('authorization of every course route', () => {
  for (const row of TABLE) {
    const shownBody = typeof row.body === 'function' ? '' : row.body ? ` ${JSON.stringify(row.body)}` : '';
    const label = `${row.method} ${typeof row.url === 'string' ? row.url : row.route}${shownBody}`;
    it.each(CALLERS.map((caller, i) => [caller, row.expect[i]!] as const))(
      `${label} as %s`,
      async (caller, status) => {
        // Amy is a student of A at every call (a row may make her an instructor).
        await hub.services.courses.enroll(A, [{ name: 'amy', role: 'student' }]);
        const url = typeof row.url === 'string' ? row.url : await row.url();
        const body = typeof row.body === 'function' ? (row.body as () => unknown)() : row.body;
        const res = await hub.app.inject({
          method: row.method,
          url,
          headers: await headersFor[caller](),
          ...(body === undefined ? {} : { payload: body as object }),
        });
        expect(res.statusCode, `${row.method} ${url} as ${caller}: ${res.body.slice(0, 300)}`).toBe(status);
        if (res.statusCode >= 400) {
          const error = res.json();
          expect(error.status).toBe(res.statusCode);
          expect(error.message.length).toBeGreaterThan(10);
        }
      },
    );
  }

  it('an instructor of one course has no rights in the other, and roles are per course', async () => {
    const res = await hub.app.inject({
      method: 'PUT',
      url: `/hub/api/courses/${B}/members/amy`,
      headers: await headersFor.instructor(),
      payload: { role: 'instructor' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/prof is not an instructor of "authz-b"/);
    expect(await hub.services.courses.roleOf(B, 'amy')).toBeUndefined();
  });

  it("a user's server token (JUPYTERHUB_API_TOKEN) does what the user may in their courses, no more", async () => {
    const { token } = await createServerToken(hub.tokens, 'amy');
    const call = (method: 'GET' | 'POST', url: string) =>
      hub.app.inject({ method, url, headers: { authorization: `token ${token}` } });
    expect((await call('GET', `/hub/api/courses/${A}`)).statusCode).toBe(200);
    // Past the checks: nothing is released yet.
    expect((await call('POST', `${ASSIGNMENT}/submit`)).statusCode).toBe(409);
    expect((await call('POST', `${ASSIGNMENT}/release`)).statusCode).toBe(403);
    expect((await call('GET', `/hub/api/courses/${B}`)).statusCode).toBe(403);
    expect((await call('GET', '/hub/api/users')).statusCode).toBe(403);
  });

  it('the table covers every course route registered', () => {
    const covered = new Set(TABLE.map((r) => `${r.method} ${r.route}`));
    const registered = hub.routes
      .filter((r) => r.url.startsWith('/hub/api/courses'))
      .map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThan(10);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });
});
