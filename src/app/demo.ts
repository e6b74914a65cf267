/**
 * `coursehub start --demo`: the demo rosters (examples/demo/) and, when the hub has no course yet,
 * a demo course whose gradebook lists the demo students, so an instructor logging in finds a
 * course to work in.
 */
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { GradebookStore } from '../db/stores/gradebook.js';
import { ensureCourse, updateOrCreateStudent } from '../gradebook/courses.js';
import { readRosterFile } from '../hub/users/roster-csv.js';

export const DEMO_COURSE = 'demo101';

export const DEMO_ROSTERS = {
  instructors: fileURLToPath(new URL('../../examples/demo/instructors.csv', import.meta.url)),
  students: fileURLToPath(new URL('../../examples/demo/students.csv', import.meta.url)),
};

/** Creates the demo course with the demo students, unless some course exists. Returns its name, or undefined. */
export async function seedDemoCourse(db: Kysely<Database>): Promise<string | undefined> {
  const store = new GradebookStore(db);
  if ((await store.courses.countCourses()) > 0) return undefined;
  const students = readRosterFile(DEMO_ROSTERS.students);
  await store.withTransaction(async (tx) => {
    const courseId = await ensureCourse(tx, DEMO_COURSE);
    for (const student of students) {
      await updateOrCreateStudent(tx, courseId, {
        id: student.name,
        firstName: student.firstName,
        lastName: student.lastName,
        email: student.email,
      });
    }
  });
  return DEMO_COURSE;
}
