// Courses and roles (issue 12, item 1) on SQLite and PostgreSQL, through the services the hub
// builds (src/app/services.ts): a course with its directory and (as root) its Unix group, the
// seed's set-up (COURSE_NAME + COURSE_HOME + instructors.csv + students.csv), a student an admin
// adds later, enrolling from CSV files with missing users created.
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreServices } from '../../src/app/services.js';
import { GradebookStore } from '../../src/db/stores/gradebook.js';
import { CourseExistsError, CourseRoleError, InvalidCourseNameError } from '../../src/exchange/errors.js';
import { listStudents } from '../../src/gradebook/courses.js';
import { RosterImportError } from '../../src/hub/users/roster-import.js';
import { lookupGroup, removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../db/backends.js';
import { testServices } from '../support/services.js';

const isRoot = process.getuid?.() === 0;

describe.each(BACKENDS)('courses and roles on %s', (backend) => {
  // Course ids per backend: the Unix groups they get are machine-wide.
  const SEED = `chx-seed-${backend}`;
  const OTHER = `chx-other-${backend}`;
  let database: TestDatabase;
  let services: CoreServices;
  let dir: string;

  const csv = (name: string, rows: string) => {
    const file = join(dir, name);
    writeFileSync(file, `id,first_name,last_name,email\n${rows}`);
    return file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coursehub-courses-'));
    database = await openTestDatabase(backend);
    services = testServices(database.db, {
      hub: { dataDir: join(dir, 'data') },
      course: { name: SEED, home: join(dir, 'seed-home') },
    });
  });
  afterAll(async () => {
    await database.dispose();
    rmSync(dir, { recursive: true, force: true });
    for (const course of [SEED, OTHER]) await removeCourseGroup(course).catch(() => undefined);
  });

  it("makes the seed's course from COURSE_NAME, COURSE_HOME and the roster files", async () => {
    await services.rosters.importFiles({
      instructors: csv('instructors.csv', 'prof,Pat,Prof,pat@example.org\n'),
      students: csv('students.csv', 'amy,Amy,Pond,amy@example.org\nrory,Rory,Williams,\n'),
    });
    const course = await services.courses.require(SEED);
    expect(course.directory).toBe(join(dir, 'seed-home'));
    expect(readdirSync(course.directory).sort()).toEqual(
      ['autograded', 'feedback', 'release', 'source', 'submitted'].sort(),
    );
    expect((await services.courses.members(SEED)).map((m) => [m.userName, m.role])).toEqual([
      ['amy', 'student'],
      ['prof', 'instructor'],
      ['rory', 'student'],
    ]);
    const gradebook = new GradebookStore(database.db);
    const gradebookCourse = await gradebook.courses.ensureCourse(SEED);
    expect(await listStudents(gradebook, gradebookCourse)).toEqual([
      { id: 'amy', firstName: 'Amy', lastName: 'Pond', email: 'amy@example.org' },
      { id: 'rory', firstName: 'Rory', lastName: 'Williams', email: null },
    ]);
  });

  it.runIf(isRoot)('gives a course its Unix group and setgid, group-only folders', async () => {
    const course = await services.courses.require(SEED);
    const group = await lookupGroup(course.unixGroup!);
    expect(group?.name).toBe(`ch-${SEED}`);
    for (const folder of [course.directory, join(course.directory, 'submitted')]) {
      const info = lstatSync(folder);
      expect(info.gid).toBe(group!.gid);
      expect(info.mode & 0o7777).toBe(0o2770);
    }
  });

  it("enrolls a student an admin adds later in the seed's course, and not an admin", async () => {
    await services.users.create({ name: 'clara', firstName: 'Clara', email: 'clara@example.org' });
    await services.users.create({ name: 'boss', admin: true });
    await services.users.inTransaction(async (users) => {
      await users.create({ name: 'dan' });
    });
    expect(await services.courses.roleOf(SEED, 'clara')).toBe('student');
    expect(await services.courses.roleOf(SEED, 'dan')).toBe('student');
    expect(await services.courses.roleOf(SEED, 'boss')).toBeUndefined();
    const gradebook = new GradebookStore(database.db);
    const students = await listStudents(gradebook, await gradebook.courses.ensureCourse(SEED));
    expect(students.map((s) => s.id)).toEqual(['amy', 'rory', 'clara', 'dan']);
    expect(students.find((s) => s.id === 'clara')?.email).toBe('clara@example.org');
  });

  it('creates a course in DATA_DIR/courses/ID, once, and refuses an id that is not a folder name', async () => {
    const course = await services.courses.create({ id: OTHER, title: 'Another course' });
    expect(course.directory).toBe(join(dir, 'data', 'courses', OTHER));
    expect(lstatSync(join(course.directory, 'release')).isDirectory()).toBe(true);
    await expect(services.courses.create({ id: OTHER })).rejects.toBeInstanceOf(CourseExistsError);
    for (const bad of ['../escape', 'a/b', '', '.hidden', 'x\ny'])
      await expect(services.courses.create({ id: bad })).rejects.toBeInstanceOf(InvalidCourseNameError);
    expect(readdirSync(join(dir, 'data', 'courses'))).toEqual([OTHER]);
  });

  it('enrolls from CSV files, creating missing users, and refuses one person in two files', async () => {
    const report = await services.enrollment.enrollFiles(OTHER, {
      instructors: csv('other-instructors.csv', 'prof2,,,\n'),
      graders: csv('other-graders.csv', 'ta,Tim,Assistant,\n'),
      students: csv('other-students.csv', 'amy,Amy,Pond,\nnewbie,New,Bie,\n'),
    });
    expect(report.createdUsers.sort()).toEqual(['newbie', 'prof2', 'ta']);
    expect(report.enrolled).toEqual({ instructor: ['prof2'], grader: ['ta'], student: ['amy', 'newbie'] });
    // Made for this course only: not students of the seed's course as well.
    expect(await services.courses.roleOf(SEED, 'newbie')).toBeUndefined();
    expect(await services.courses.roleOf(OTHER, 'ta')).toBe('grader');

    const before = await services.courses.members(OTHER);
    await expect(
      services.enrollment.enrollFiles(OTHER, {
        graders: csv('g2.csv', 'zed,,,\namy,,,\n'),
        students: csv('s2.csv', 'amy,,,\n'),
      }),
    ).rejects.toThrow(RosterImportError);
    expect(await services.courses.members(OTHER)).toEqual(before);
    expect(await services.users.get('zed')).toBeUndefined();
  });

  it('tells roles apart per course', async () => {
    await expect(services.courses.requireRole(OTHER, 'prof2', ['instructor'])).resolves.toMatchObject({
      role: 'instructor',
    });
    // An instructor of the seed's course has no rights in the other, a student none as instructor.
    await expect(services.courses.requireRole(OTHER, 'prof', ['instructor'])).rejects.toBeInstanceOf(
      CourseRoleError,
    );
    await expect(services.courses.requireRole(OTHER, 'amy', ['instructor', 'grader'])).rejects.toThrow(
      'amy is not an instructor or a grader of',
    );
    expect((await services.courses.coursesOf('amy')).map((c) => [c.name, c.role])).toEqual([
      [OTHER, 'student'],
      [SEED, 'student'],
    ]);
  });
});
