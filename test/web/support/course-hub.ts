/**
 * A real hub (src/app/build-hub.ts, the real proxy, SQLite, Unix accounts) with two courses for
 * the course pages' tests: course A (`COURSE_A`, with the tiny assignment's source in source/ps1/)
 * with an instructor, a grader and students, and course B with its own instructor and student.
 * Everyone acts through browser sessions of their own; `as(name)` makes the requests.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeCourseGroup } from '../../../src/sandbox/course-groups.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { SOURCE_NOTEBOOK } from '../../gradebook/support/tiny-course.js';
import { startTestHub, type TestHub } from '../../hub/servers/hub-fixture.js';

export interface CourseHubPeople {
  prof: string;
  grader: string;
  students: string[];
  otherProf: string;
  otherStudent: string;
  admin: string;
}

export interface CourseHub {
  hub: TestHub;
  courseA: string;
  courseB: string;
  courseDirA: string;
  /** A request from `name`'s browser session (with its CSRF token), or anonymous for null. */
  as(
    name: string | null,
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
    accept?: string,
  ): Promise<Response>;
  dispose(): Promise<void>;
}

export async function startCourseHub(
  people: CourseHubPeople,
  courses: { a: string; b: string },
  baseUrl = '/',
  /** Spawner settings over the test hub's (e.g. the Docker spawner's). */
  spawner?: Parameters<typeof startTestHub>[0]['spawner'],
): Promise<CourseHub> {
  const hub = await startTestHub({
    baseUrl,
    spawner,
    users: [people.prof, people.grader, ...people.students, people.otherProf, people.otherStudent],
    admins: [people.admin],
  });
  const dataDir = hub.services.config.hub.dataDir;
  const courseDirA = join(dataDir, 'courses', courses.a);
  const { courses: service } = hub.services;
  await service.create({ id: courses.a, title: 'Course A' });
  await service.create({ id: courses.b, title: 'Course B' });
  await service.enroll(courses.a, [
    { name: people.prof, role: 'instructor' },
    { name: people.grader, role: 'grader' },
    ...people.students.map((name) => ({ name, role: 'student' as const })),
  ]);
  await service.enroll(courses.b, [
    { name: people.otherProf, role: 'instructor' },
    { name: people.otherStudent, role: 'student' },
  ]);
  mkdirSync(join(courseDirA, 'source', 'ps1'), { recursive: true });
  writeFileSync(join(courseDirA, 'source', 'ps1', 'p1.ipynb'), JSON.stringify(SOURCE_NOTEBOOK, null, 1));
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  return {
    hub,
    courseA: courses.a,
    courseB: courses.b,
    courseDirA,
    async as(name, method, path, form, accept = 'text/html') {
      const headers: Record<string, string> = { accept };
      let body: string | undefined;
      if (name !== null) {
        let session = sessions.get(name);
        if (!session) sessions.set(name, (session = await hub.session(name)));
        headers.cookie = session.cookie;
        if (method === 'POST') {
          headers['content-type'] = 'application/x-www-form-urlencoded';
          body = new URLSearchParams({ ...form, _xsrf: session.csrf }).toString();
        }
      } else if (method === 'POST') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(form ?? {}).toString();
      }
      return fetch(`${hub.hubUrl}${path}`, { method, headers, body, redirect: 'manual' });
    },
    async dispose() {
      await hub.services.courseJobs.idle();
      await hub.dispose();
      for (const course of [courses.a, courses.b]) await removeCourseGroup(course).catch(() => false);
    },
  };
}

/** Waits until the course's job `id` is no longer running; its final JSON. */
export async function waitForJob(
  courseHub: CourseHub,
  as: string,
  course: string,
  id: number,
): Promise<{ state: string; message: string | null; done: number; total: number }> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    const response = await courseHub.as(
      as,
      'GET',
      `/hub/courses/${course}/jobs/${id}`,
      undefined,
      'application/json',
    );
    const job = (await response.json()) as {
      state: string;
      message: string | null;
      done: number;
      total: number;
    };
    if (job.state !== 'running' || Date.now() > deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The answer cell of the student's fetched ps1/p1.ipynb in `course` set to `code` (the file keeps its owner). */
export async function answerIn(student: string, course: string, code: string): Promise<void> {
  const account = (await lookupUnixAccount(student))!;
  const file = join(account.home, course, 'ps1', 'p1.ipynb');
  const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells: { id?: string; source: unknown }[] };
  notebook.cells.find((cell) => cell.id === 'answer')!.source = code;
  writeFileSync(file, JSON.stringify(notebook));
}
