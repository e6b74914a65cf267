/** Courses, assignments and students: the gradebook's roster, as nbgrader's `db` commands manage it. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { GradebookInvalidEntryError, GradebookMissingEntryError } from './errors.js';

export type GradebookDb = Kysely<Database> | Transaction<Database>;

/** Ids that name folders of the course: no path separators, not `.` or `..`. */
const SAFE_NAME = /^[^/\\\0]+$/;

export interface StudentRecord {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
}

export interface AssignmentRecord {
  name: string;
  /** Naive UTC (`YYYY-MM-DD HH:MM:SS[.ffffff]`) or null. */
  duedate: string | null;
}

/** The course's row id, creating the course the first time it is named. */
export async function ensureCourse(db: GradebookDb, courseName: string): Promise<number> {
  const existing = await db
    .selectFrom('gradebook_course')
    .select('id')
    .where('name', '=', courseName)
    .executeTakeFirst();
  if (existing) return existing.id;
  const inserted = await db
    .insertInto('gradebook_course')
    .values({ name: courseName })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function updateOrCreateAssignment(
  db: GradebookDb,
  courseId: number,
  name: string,
  changes: { duedate?: string | null } = {},
): Promise<number> {
  if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
    throw new GradebookInvalidEntryError(`'${name}' is not a valid assignment id.`, {
      hint: 'An assignment id is a non-empty name without slashes (it names a folder of the course).',
    });
  }
  const existing = await findAssignmentRow(db, courseId, name);
  if (existing) {
    if (changes.duedate !== undefined) {
      await db
        .updateTable('gradebook_assignment')
        .set({ duedate: changes.duedate })
        .where('id', '=', existing.id)
        .execute();
    }
    return existing.id;
  }
  const inserted = await db
    .insertInto('gradebook_assignment')
    .values({ course_id: courseId, name, duedate: changes.duedate ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findAssignmentRow(db: GradebookDb, courseId: number, name: string) {
  return db
    .selectFrom('gradebook_assignment')
    .selectAll()
    .where('course_id', '=', courseId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function requireAssignment(db: GradebookDb, courseId: number, name: string) {
  const row = await findAssignmentRow(db, courseId, name);
  if (!row) {
    throw new GradebookMissingEntryError(`No assignment with ID '${name}' exists in the gradebook.`, {
      hint: `Add it with \`coursehub nbgrader db assignment add ${name}\` (or generate it first).`,
    });
  }
  return row;
}

export async function listAssignments(db: GradebookDb, courseId: number): Promise<AssignmentRecord[]> {
  const rows = await db
    .selectFrom('gradebook_assignment')
    .select(['name', 'duedate'])
    .where('course_id', '=', courseId)
    .orderBy('name')
    .execute();
  return rows;
}

/**
 * Removes an assignment. Like nbgrader, refuses when submissions exist unless `force`, because
 * removing it deletes every grade of it.
 */
export async function removeAssignment(
  db: GradebookDb,
  courseId: number,
  name: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const row = await requireAssignment(db, courseId, name);
  const submissions = await db
    .selectFrom('gradebook_submission')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('assignment_id', '=', row.id)
    .executeTakeFirstOrThrow();
  if (Number(submissions.n) > 0 && !options.force) {
    throw new GradebookInvalidEntryError(
      `Assignment '${name}' has ${submissions.n} submission(s); removing it would delete their grades.`,
      { hint: 'Pass --force to remove it anyway.' },
    );
  }
  await db.deleteFrom('gradebook_assignment').where('id', '=', row.id).execute();
}

export async function updateOrCreateStudent(
  db: GradebookDb,
  courseId: number,
  student: { id: string } & Partial<Omit<StudentRecord, 'id'>>,
): Promise<number> {
  if (!SAFE_NAME.test(student.id) || student.id === '.' || student.id === '..') {
    throw new GradebookInvalidEntryError(`'${student.id}' is not a valid student id.`, {
      hint: 'A student id is a non-empty name without slashes (it names a folder of the course).',
    });
  }
  const changes = {
    ...(student.firstName !== undefined ? { first_name: student.firstName } : {}),
    ...(student.lastName !== undefined ? { last_name: student.lastName } : {}),
    ...(student.email !== undefined ? { email: student.email } : {}),
  };
  const existing = await db
    .selectFrom('gradebook_student')
    .select('id')
    .where('course_id', '=', courseId)
    .where('student_id', '=', student.id)
    .executeTakeFirst();
  if (existing) {
    if (Object.keys(changes).length > 0) {
      await db.updateTable('gradebook_student').set(changes).where('id', '=', existing.id).execute();
    }
    return existing.id;
  }
  const inserted = await db
    .insertInto('gradebook_student')
    .values({ course_id: courseId, student_id: student.id, lms_user_id: null, ...changes })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function listStudents(db: GradebookDb, courseId: number): Promise<StudentRecord[]> {
  const rows = await db
    .selectFrom('gradebook_student')
    .select(['student_id', 'first_name', 'last_name', 'email'])
    .where('course_id', '=', courseId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.student_id,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
  }));
}

export async function findStudentPk(db: GradebookDb, courseId: number, studentId: string) {
  const row = await db
    .selectFrom('gradebook_student')
    .select('id')
    .where('course_id', '=', courseId)
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  return row?.id;
}

export async function removeStudent(
  db: GradebookDb,
  courseId: number,
  studentId: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const pk = await findStudentPk(db, courseId, studentId);
  if (pk === undefined) {
    throw new GradebookMissingEntryError(`No student with ID '${studentId}' exists in the gradebook.`, {
      hint: 'List the students with `coursehub nbgrader db student list`.',
    });
  }
  const submissions = await db
    .selectFrom('gradebook_submission')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('student_pk', '=', pk)
    .executeTakeFirstOrThrow();
  if (Number(submissions.n) > 0 && !options.force) {
    throw new GradebookInvalidEntryError(
      `Student '${studentId}' has ${submissions.n} submission(s); removing them would delete their grades.`,
      { hint: 'Pass --force to remove the student anyway.' },
    );
  }
  await db.deleteFrom('gradebook_student').where('id', '=', pk).execute();
}

/** Gives one student more time on one assignment (nbgrader's Extension); 0 removes it. */
export async function setExtension(
  db: GradebookDb,
  courseId: number,
  assignmentName: string,
  studentId: string,
  seconds: number,
): Promise<void> {
  const assignment = await requireAssignment(db, courseId, assignmentName);
  const studentPk = await updateOrCreateStudent(db, courseId, { id: studentId });
  await db
    .deleteFrom('gradebook_extension')
    .where('assignment_id', '=', assignment.id)
    .where('student_pk', '=', studentPk)
    .execute();
  if (seconds > 0) {
    await db
      .insertInto('gradebook_extension')
      .values({ assignment_id: assignment.id, student_pk: studentPk, seconds })
      .execute();
  }
}
