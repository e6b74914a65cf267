/**
 * `coursehub start --demo`: the demo rosters (examples/demo/) and the sample course
 * (examples/sample-course/) as course demo101, with the demo instructor as its instructor, the
 * demo students enrolled, and the assignment `hello` generated and released, so a student who
 * logs in can fetch it at once.
 *
 * Idempotent across restarts, and it never undoes what people did in the demo: the sample's
 * files are copied only where the course has none of that name, people are enrolled only when
 * they have no role in the course yet, and `hello` is released only if it never was (an
 * instructor's unrelease stays).
 */
import { chmod, copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CourseService } from '../exchange/courses/course-service.js';
import type { CourseStores } from '../db/stores/course-stores.js';
import type { Exchange } from '../exchange/exchange.js';
import { readRosterFile } from '../hub/users/roster-csv.js';

export const DEMO_COURSE = 'demo101';
export const DEMO_ASSIGNMENT = 'hello';
const DEMO_TITLE = 'Demo 101: hello, coursehub';

export const DEMO_ROSTERS = {
  instructors: fileURLToPath(new URL('../../examples/demo/instructors.csv', import.meta.url)),
  students: fileURLToPath(new URL('../../examples/demo/students.csv', import.meta.url)),
};

export const SAMPLE_COURSE = fileURLToPath(new URL('../../examples/sample-course/', import.meta.url));

/** What the demo course is made with: the course service, its stores and the exchange. */
export interface DemoServices {
  courses: CourseService;
  courseStores: CourseStores;
  exchange: Exchange;
}

export interface DemoCourseReport {
  course: string;
  /** Files of the sample course copied into the course directory (none on a restart). */
  copied: string[];
  /** People given their role now. */
  enrolled: string[];
  /** The release made now: its version, and whether it was generated first. */
  released?: { version: number; generated: boolean };
}

/** Makes (or completes) the demo course; the demo users must exist already (rosters imported). */
export async function seedDemoCourse(services: DemoServices): Promise<DemoCourseReport> {
  const { courses, courseStores, exchange } = services;
  const course = await courses.ensure({ id: DEMO_COURSE, title: DEMO_TITLE });
  const copied = await copyMissing(SAMPLE_COURSE, course.directory, ['nbgrader_config.py', 'source']);

  const instructors = readRosterFile(DEMO_ROSTERS.instructors);
  const students = readRosterFile(DEMO_ROSTERS.students);
  const people = [
    ...instructors.map((person) => ({ ...person, role: 'instructor' as const })),
    ...students.map((person) => ({ ...person, role: 'student' as const })),
  ];
  const newcomers = [];
  for (const person of people) if (!(await courses.roleOf(DEMO_COURSE, person.name))) newcomers.push(person);
  await courses.enroll(DEMO_COURSE, newcomers);

  const report: DemoCourseReport = { course: DEMO_COURSE, copied, enrolled: newcomers.map((p) => p.name) };
  const everReleased = (await courseStores.exchange.releases(course.id, DEMO_ASSIGNMENT)).length > 0;
  const instructor = instructors[0];
  if (!everReleased && instructor) {
    // As the demo instructor would: release generates release/hello first.
    const release = await exchange.release(DEMO_COURSE, DEMO_ASSIGNMENT, { name: instructor.name });
    report.released = { version: release.version, generated: release.generated !== undefined };
  }
  return report;
}

/**
 * Copies the named entries of `from` into `to`, recursively, skipping every path that exists in
 * `to` already. Folders are setgid and group-writable (2770), files group-writable (0660), as an
 * instructor's server makes them in a course directory (its group comes from the setgid parent).
 */
async function copyMissing(from: string, to: string, names: readonly string[]): Promise<string[]> {
  const copied: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const source = join(from, relative);
    const target = join(to, relative);
    const kind = await lstat(source);
    const existing = await lstat(target).catch(() => undefined);
    if (kind.isDirectory()) {
      if (!existing) {
        await mkdir(target);
        await chmod(target, 0o2770);
      }
      if (existing && !existing.isDirectory()) return;
      for (const entry of (await readdir(source)).sort()) await walk(join(relative, entry));
    } else if (kind.isFile() && !existing) {
      await copyFile(source, target);
      await chmod(target, 0o660);
      copied.push(relative);
    }
  };
  for (const name of names) await walk(name);
  return copied;
}
