/**
 * `coursehub start --demo`: the demo rosters (examples/demo/) and, when the hub has no course yet,
 * a demo course whose gradebook lists the demo students, so an instructor logging in finds a
 * course to work in.
 */
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ensureCourse, updateOrCreateStudent } from '../gradebook/courses.js';
import { readRosterFile } from '../hub/users/roster-csv.js';

export const DEMO_COURSE = 'demo101';

export const DEMO_ROSTERS = {
  instructors: fileURLToPath(new URL('../../examples/demo/instructors.csv', import.meta.url)),
  students: fileURLToPath(new URL('../../examples/demo/students.csv', import.meta.url)),
};

/** Creates the demo course with the demo students, unless some course exists. Returns its name, or undefined. */
export async function seedDemoCourse(db: Kysely<Database>): Promise<string | undefined> {
  const existing = await db
    .selectFrom('gradebook_course')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirst();
  if (Number(existing?.n ?? 0) > 0) return undefined;
  const students = readRosterFile(DEMO_ROSTERS.students);
  await db.transaction().execute(async (trx) => {
    const courseId = await ensureCourse(trx, DEMO_COURSE);
    for (const student of students) {
      await updateOrCreateStudent(trx, courseId, {
        id: student.name,
        firstName: student.firstName,
        lastName: student.lastName,
        email: student.email,
      });
    }
  });
  return DEMO_COURSE;
}
