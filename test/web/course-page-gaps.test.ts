// The instructor page's remaining tools (issue 12, item 5), through a real hub with real Unix
// accounts and sandboxed grading kernels: the preview of an assignment's student version (the
// one sanitizing renderer, the hub's own page and headers), collect of one student, per-student
// extensions (nbgrader's Extension: the late flag and the late penalty count from the extended
// due date), and the students CSV import (nbgrader's `db student import` columns; a bad file
// imports nobody). Every new route refuses students, other courses' people and, where it
// changes the roster or the rules, graders.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/web/security-headers.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { answerIn, startCourseHub, waitForJob, type CourseHub } from './support/course-hub.js';

const PROF = 'chgp_prof';
const GRADER = 'chgp_grader';
const AMY = 'chgp_amy';
const BOB = 'chgp_bob';
const OTHER_PROF = 'chgp_oprof';
const OTHER_STUDENT = 'chgp_ostud';
const ADMIN = 'chgp_admin';
const NEW_ONE = 'chgp_new1';
const NEW_TWO = 'chgp_new2';
const A = 'cga';
const B = 'cgb';

const isRoot = process.getuid?.() === 0;

/** A source notebook whose markdown tries to run script, with an answer and hidden tests. */
const HOSTILE_SOURCE = {
  cells: [
    {
      cell_type: 'markdown',
      id: 'intro',
      metadata: {},
      source:
        'Read <script>alert("md")</script> this <img src="x" onerror="alert(\'img\')"> and [click](javascript:alert(1)).',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'answer',
      metadata: {
        nbgrader: { grade: false, solution: true, locked: false, grade_id: 'answer', schema_version: 3 },
      },
      outputs: [],
      source: 'def f():\n    ### BEGIN SOLUTION\n    return 42  # SECRET-SOLUTION\n    ### END SOLUTION',
    },
    {
      cell_type: 'code',
      execution_count: null,
      id: 'tests',
      metadata: {
        nbgrader: {
          grade: true,
          solution: false,
          locked: true,
          grade_id: 'test_f',
          points: 2,
          schema_version: 3,
        },
      },
      outputs: [],
      source:
        'assert f() == 42\n### BEGIN HIDDEN TESTS\nassert f() != 41  # SECRET-HIDDEN\n### END HIDDEN TESTS',
    },
  ],
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
};

/** `YYYY-MM-DDTHH:MM` (the page's datetime-local) of now + `minutes`, UTC. */
const pageDate = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 16);

describe.runIf(isRoot)('instructor page: preview, collect one, extensions, students CSV', () => {
  let ch: CourseHub;
  const page = (path = '') => `/hub/courses/${A}${path}`;
  const text = async (response: Response) => ({ status: response.status, body: await response.text() });

  /** A multipart upload of `csv` as the form's `students` file, from `name`'s session. */
  async function upload(name: string | null, csv: Buffer | string, withCsrf = true): Promise<Response> {
    const form = new FormData();
    const headers: Record<string, string> = { accept: 'text/html' };
    if (name !== null) {
      const session = await ch.hub.session(name);
      headers.cookie = session.cookie;
      if (withCsrf) form.append('_xsrf', session.csrf);
    }
    form.append(
      'students',
      new Blob([typeof csv === 'string' ? csv : new Uint8Array(csv)], { type: 'text/csv' }),
      'students.csv',
    );
    return fetch(`${ch.hub.hubUrl}${page('/students/import')}`, {
      method: 'POST',
      headers,
      body: form,
      redirect: 'manual',
    });
  }

  beforeAll(async () => {
    for (const name of [NEW_ONE, NEW_TWO]) removeUnixAccount(name);
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
    // A late submission scores 0 (nbgrader's 'zero' penalty), so the penalty shows in grades.csv.
    writeFileSync(
      join(ch.courseDirA, 'nbgrader_config.py'),
      "c = get_config()\nc.LateSubmissionPlugin.penalty_method = 'zero'\n",
    );
    mkdirSync(join(ch.courseDirA, 'source', 'hostile'), { recursive: true });
    writeFileSync(join(ch.courseDirA, 'source', 'hostile', 'h.ipynb'), JSON.stringify(HOSTILE_SOURCE));
  }, 120_000);
  afterAll(async () => {
    await ch?.dispose();
    for (const name of [NEW_ONE, NEW_TWO]) removeUnixAccount(name);
  });

  it('preview: nothing before generate; then the student version, sanitized, in the hub’s own page', async () => {
    const before = await text(await ch.as(PROF, 'GET', page('/preview/hostile')));
    expect(before.status).toBe(400);
    expect(before.body).toContain('There is no student version of hostile yet');

    expect((await ch.as(PROF, 'POST', page('/generate/hostile'))).status).toBe(200);
    const response = await ch.as(PROF, 'GET', page('/preview/hostile'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const body = await response.text();
    expect(body).toContain('data-notebook="h.ipynb"');
    // nbgrader's ClearSolutions: the solution is replaced; ClearHiddenTests: the hidden tests go.
    expect(body).toContain('YOUR CODE HERE');
    expect(body).not.toContain('SECRET-SOLUTION');
    expect(body).not.toContain('SECRET-HIDDEN');
    expect(body).toContain('assert');
    // What the student finds in each nbgrader cell.
    expect(body).toMatch(/data-grade-id="answer">Answer: the student writes here/);
    expect(body).toMatch(/data-grade-id="test_f">Autograder tests[^<]*<code>test_f<\/code> · 2 points/);
    // The markdown's script, handler and javascript: link are gone; the page's only script is none.
    const main = body.slice(body.indexOf('<main>'));
    expect(main).not.toMatch(/<script/i);
    expect(main).not.toMatch(/onerror/i);
    expect(main).not.toMatch(/href="javascript:/i);
    expect(body).toContain('href="/hub/courses-notebook.css"');
    const css = await ch.as(PROF, 'GET', '/hub/courses-notebook.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.nb-cell');
  });

  it('preview: instructors, graders and admins only', async () => {
    const expected: Record<string, number> = {
      [PROF]: 200,
      [GRADER]: 200,
      [ADMIN]: 200,
      [AMY]: 403,
      [OTHER_STUDENT]: 403,
      [OTHER_PROF]: 403,
    };
    const got: Record<string, number> = {};
    for (const name of Object.keys(expected))
      got[name] = (await ch.as(name, 'GET', page('/preview/hostile'))).status;
    expect(got).toEqual(expected);
    const anonymous = await ch.as(null, 'GET', page('/preview/hostile'));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toContain('/hub/login');
    // The student's refusal shows nothing of the notebook.
    const amy = await text(await ch.as(AMY, 'GET', page('/preview/hostile')));
    expect(amy.body).not.toContain('h.ipynb');
  });

  it('collect of one student copies only that student’s submission', { timeout: 120_000 }, async () => {
    await ch.as(PROF, 'POST', page('/assignments'), { name: 'ps1', duedate: pageDate(-60) });
    expect((await ch.as(PROF, 'POST', page('/release/ps1'))).status).toBe(200);
    for (const student of [AMY, BOB]) {
      expect((await ch.as(student, 'POST', page('/fetch/ps1'))).status).toBe(200);
      await answerIn(student, A, 'a = 1');
      expect((await ch.as(student, 'POST', page('/submit/ps1'))).status).toBe(200);
    }
    // Students and graders of other courses cannot start it; a grader may (collect is grading).
    for (const name of [AMY, OTHER_STUDENT, OTHER_PROF])
      expect(
        (await ch.as(name, 'POST', page('/jobs'), { kind: 'collect', assignment: 'ps1', student: AMY }))
          .status,
      ).toBe(403);
    const prof = await text(await ch.as(PROF, 'GET', page()));
    expect(prof.body).toMatch(/<form[^>]*class="inline collect-one"/);
    const started = await ch.as(GRADER, 'POST', page('/jobs'), {
      kind: 'collect',
      assignment: 'ps1',
      student: AMY,
    });
    expect(started.status).toBe(303);
    const id = Number(/data-job="(\d+)"/.exec(await (await ch.as(GRADER, 'GET', page())).text())![1]);
    const job = await waitForJob(ch, GRADER, A, id);
    expect([job.state, job.message]).toEqual(['succeeded', 'collected 1, unchanged 0']);
    expect(existsSync(join(ch.courseDirA, 'submitted', AMY, 'ps1', 'p1.ipynb'))).toBe(true);
    expect(existsSync(join(ch.courseDirA, 'submitted', BOB, 'ps1'))).toBe(false);
  });

  it(
    'an extension moves one student’s due date: not late on the page, no late penalty',
    { timeout: 300_000 },
    async () => {
      // Both submitted after the due date (an hour ago): both late.
      for (const student of [AMY, BOB])
        expect((await text(await ch.as(student, 'GET', page()))).body).toContain('data-state="late"');

      const refused: Record<string, number> = {};
      for (const name of [AMY, GRADER, OTHER_PROF, OTHER_STUDENT])
        refused[name] = (
          await ch.as(name, 'POST', page('/extensions'), { assignment: 'ps1', student: AMY, hours: '3' })
        ).status;
      expect(refused).toEqual({ [AMY]: 403, [GRADER]: 403, [OTHER_PROF]: 403, [OTHER_STUDENT]: 403 });
      const bad = await text(
        await ch.as(PROF, 'POST', page('/extensions'), { assignment: 'ps1', student: AMY, minutes: '-5' }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('-5');
      expect(bad.body).toContain('is not a length of time');
      const notStudent = await text(
        await ch.as(PROF, 'POST', page('/extensions'), {
          assignment: 'ps1',
          student: OTHER_STUDENT,
          days: '1',
        }),
      );
      expect(notStudent.status).toBe(400);
      expect(notStudent.body).toContain(`is not a student of ${A}`);

      const set = await text(
        await ch.as(PROF, 'POST', page('/extensions'), {
          assignment: 'ps1',
          student: AMY,
          hours: '2',
          minutes: '30',
        }),
      );
      expect(set.status).toBe(200);
      expect(set.body).toContain(`${AMY} has 2 hours 30 minutes more on ps1.`);
      expect(set.body).toMatch(
        new RegExp(`<tr class="extension" data-assignment="ps1" data-student="${AMY}" data-seconds="9000">`),
      );
      const amy = await text(await ch.as(AMY, 'GET', page()));
      expect(amy.body).toContain('data-state="submitted"');
      expect(amy.body).toContain('extended for you to');
      const bob = await text(await ch.as(BOB, 'GET', page()));
      expect(bob.body).toContain('data-state="late"');
      expect(bob.body).not.toContain('extended for you');

      // Collect both, autograde: nbgrader's 'zero' penalty takes Bob's point, not Amy's.
      for (const kind of ['collect', 'autograde']) {
        expect((await ch.as(PROF, 'POST', page('/jobs'), { kind, assignment: 'ps1' })).status).toBe(303);
        const id = Number(/data-job="(\d+)"/.exec(await (await ch.as(PROF, 'GET', page())).text())![1]);
        expect((await waitForJob(ch, PROF, A, id)).state).toBe('succeeded');
      }
      const csv = (await text(await ch.as(PROF, 'GET', page('/grades.csv')))).body.trim().split('\n');
      const columns = csv[0]!.split(',');
      const row = (student: string) => {
        const fields = csv
          .map((line) => line.split(','))
          .find(
            (f) => f[columns.indexOf('student_id')] === student && f[columns.indexOf('assignment')] === 'ps1',
          )!;
        return {
          raw: Number(fields[columns.indexOf('raw_score')]),
          penalty: Number(fields[columns.indexOf('late_submission_penalty')]),
          score: Number(fields[columns.indexOf('score')]),
        };
      };
      expect(row(AMY)).toEqual({ raw: 1, penalty: 0, score: 1 });
      expect(row(BOB)).toEqual({ raw: 1, penalty: 1, score: 0 });

      // 0 removes it: Amy is late again.
      await ch.as(PROF, 'POST', page('/extensions'), { assignment: 'ps1', student: AMY, hours: '0' });
      expect((await text(await ch.as(AMY, 'GET', page()))).body).toContain('data-state="late"');
    },
  );

  it('students CSV: a bad file imports nobody and says which lines', async () => {
    const badId = await text(
      await upload(
        PROF,
        `id,first_name,last_name,email\n${NEW_TWO},New,Two,n2@example.org\nBad Name!,X,Y,\n`,
      ),
    );
    expect(badId.status).toBe(400);
    expect(badId.body).toContain('nobody was imported');
    expect(badId.body).toContain('The students file:3: invalid id');
    const noId = await text(await upload(PROF, `name,email\n${NEW_TWO},n2@example.org\n`));
    expect(noId.status).toBe(400);
    expect(noId.body).toContain('has no &#39;id&#39; column');
    const notUtf8 = await text(await upload(PROF, Buffer.from([0x69, 0x64, 0x0a, 0xff, 0xfe, 0x0a])));
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.body).toContain('not valid UTF-8');
    const staff = await text(await upload(PROF, `id\n${NEW_TWO}\n${GRADER}\n`));
    expect(staff.status).toBe(400);
    expect(staff.body).toContain(`The students file:3: ${GRADER} is a grader of ${A}`);
    const empty = await text(await upload(PROF, 'id,first_name\n'));
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('lists no students');
    // Nothing of any of them was applied.
    expect(await ch.hub.services.users.get(NEW_TWO)).toBeFalsy();
    expect(await ch.hub.services.courses.roleOf(A, GRADER)).toBe('grader');
    expect(await ch.hub.services.courses.roleOf(A, NEW_TWO)).toBeUndefined();
  });

  it('students CSV: only the instructor, with the CSRF token; a good file enrolls and updates', async () => {
    const csv = `id,first_name,last_name,email,section\n${NEW_ONE},Nora,One,nora@example.org,A1\n${AMY},Amy,Updated,,A2\n`;
    const refused: Record<string, number> = {};
    for (const name of [AMY, GRADER, OTHER_PROF, OTHER_STUDENT])
      refused[name] = (await upload(name, csv)).status;
    expect(refused).toEqual({ [AMY]: 403, [GRADER]: 403, [OTHER_PROF]: 403, [OTHER_STUDENT]: 403 });
    expect((await upload(PROF, csv, false)).status).toBe(403);
    expect((await upload(null, csv)).status).toBe(302);
    expect(await ch.hub.services.users.get(NEW_ONE)).toBeFalsy();

    const done = await text(await upload(PROF, csv));
    expect(done.status).toBe(200);
    expect(done.body).toContain(`Imported 2 students into ${A} (new users: ${NEW_ONE}).`);
    expect(await ch.hub.services.courses.roleOf(A, NEW_ONE)).toBe('student');
    const students = await ch.hub.services.courseWork.students(A, { name: PROF });
    expect(students.find((s) => s.id === NEW_ONE)).toMatchObject({
      firstName: 'Nora',
      lastName: 'One',
      email: 'nora@example.org',
    });
    expect(students.find((s) => s.id === AMY)).toMatchObject({ firstName: 'Amy', lastName: 'Updated' });
    expect(done.body).toMatch(new RegExp(`<tr data-student="${NEW_ONE}">`));
  });

  it('adding a student never demotes a colleague', async () => {
    const demote = await text(await ch.as(PROF, 'POST', page('/students'), { name: GRADER }));
    expect(demote.status).toBe(400);
    expect(demote.body).toContain(`${GRADER} is a grader of ${A}`);
    expect(await ch.hub.services.courses.roleOf(A, GRADER)).toBe('grader');
  });
});
