/**
 * SQL for the gradebook's courses and what hangs off a course: assignments (with due dates),
 * students, and per-student extensions. Rows in, rows out: the rules (valid ids, refusing to drop
 * graded work) are the gradebook layer's (src/gradebook/courses.ts). The Kysely instance may be a
 * transaction (see GradebookStore.withTransaction).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface AssignmentRow {
  id: number;
  name: string;
  /** Naive UTC (`YYYY-MM-DD HH:MM:SS[.ffffff]`) or null. */
  duedate: string | null;
}

export interface StudentRow {
  /** The row id (other tables refer to students by it). */
  pk: number;
  /** The student id nbgrader knows them by. */
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
}

/** Columns of a student that can be set; a key left out is left as it is. */
export interface StudentChanges {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

const STUDENTS_PER_INSERT = 1000;

export class CourseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async countCourses(): Promise<number> {
    const row = await this.db
      .selectFrom('gradebook_course')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The course's row id, creating the course the first time it is named. */
  async ensureCourse(name: string): Promise<number> {
    const existing = await this.db
      .selectFrom('gradebook_course')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) return existing.id;
    const inserted = await this.db
      .insertInto('gradebook_course')
      .values({ name })
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  async findAssignment(courseId: number, name: string): Promise<AssignmentRow | undefined> {
    return this.db
      .selectFrom('gradebook_assignment')
      .select(['id', 'name', 'duedate'])
      .where('course_id', '=', courseId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** The course's assignments by name. */
  async listAssignments(courseId: number): Promise<AssignmentRow[]> {
    return this.db
      .selectFrom('gradebook_assignment')
      .select(['id', 'name', 'duedate'])
      .where('course_id', '=', courseId)
      .orderBy('name')
      .execute();
  }

  async insertAssignment(courseId: number, name: string, duedate: string | null): Promise<number> {
    const inserted = await this.db
      .insertInto('gradebook_assignment')
      .values({ course_id: courseId, name, duedate })
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  async setDuedate(assignmentId: number, duedate: string | null): Promise<void> {
    await this.db
      .updateTable('gradebook_assignment')
      .set({ duedate })
      .where('id', '=', assignmentId)
      .execute();
  }

  /** Removes the assignment with its notebooks, extensions, submissions and grades (cascade). */
  async deleteAssignment(assignmentId: number): Promise<void> {
    await this.db.deleteFrom('gradebook_assignment').where('id', '=', assignmentId).execute();
  }

  async findStudentPk(courseId: number, studentId: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('gradebook_student')
      .select('id')
      .where('course_id', '=', courseId)
      .where('student_id', '=', studentId)
      .executeTakeFirst();
    return row?.id;
  }

  /** The course's students in the order they were added. */
  async listStudents(courseId: number): Promise<StudentRow[]> {
    const rows = await this.db
      .selectFrom('gradebook_student')
      .select(['id', 'student_id', 'first_name', 'last_name', 'email'])
      .where('course_id', '=', courseId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      pk: r.id,
      id: r.student_id,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
    }));
  }

  async insertStudent(courseId: number, studentId: string, changes: StudentChanges): Promise<number> {
    const inserted = await this.db
      .insertInto('gradebook_student')
      .values({ course_id: courseId, student_id: studentId, lms_user_id: null, ...studentColumns(changes) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  /**
   * Inserts the students of `ids` the course does not have (no names, no email); the others are
   * left as they are. Chunked: SQLite takes at most 32766 bound parameters per statement.
   */
  async insertMissingStudents(courseId: number, ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += STUDENTS_PER_INSERT)
      await this.db
        .insertInto('gradebook_student')
        .values(
          unique
            .slice(i, i + STUDENTS_PER_INSERT)
            .map((id) => ({ course_id: courseId, student_id: id, lms_user_id: null })),
        )
        .onConflict((conflict) => conflict.columns(['course_id', 'student_id']).doNothing())
        .execute();
  }

  /** Sets the columns named in `changes`; nothing to set is no query at all. */
  async updateStudent(studentPk: number, changes: StudentChanges): Promise<void> {
    const columns = studentColumns(changes);
    if (Object.keys(columns).length === 0) return;
    await this.db.updateTable('gradebook_student').set(columns).where('id', '=', studentPk).execute();
  }

  /** Removes the student with their extensions, submissions and grades (cascade). */
  async deleteStudent(studentPk: number): Promise<void> {
    await this.db.deleteFrom('gradebook_student').where('id', '=', studentPk).execute();
  }

  /** The student's extension on the assignment in seconds; 0 without one. */
  async extensionSeconds(assignmentId: number, studentPk: number): Promise<number> {
    const row = await this.db
      .selectFrom('gradebook_extension')
      .select('seconds')
      .where('assignment_id', '=', assignmentId)
      .where('student_pk', '=', studentPk)
      .executeTakeFirst();
    return Number(row?.seconds ?? 0);
  }

  /** Every extension of the course's assignments (optionally one student's), by assignment and student. */
  async extensions(
    courseId: number,
    studentId?: string,
  ): Promise<{ assignment: string; student: string; seconds: number }[]> {
    let query = this.db
      .selectFrom('gradebook_extension')
      .innerJoin('gradebook_assignment', 'gradebook_assignment.id', 'gradebook_extension.assignment_id')
      .innerJoin('gradebook_student', 'gradebook_student.id', 'gradebook_extension.student_pk')
      .select(['gradebook_assignment.name', 'gradebook_student.student_id', 'gradebook_extension.seconds'])
      .where('gradebook_assignment.course_id', '=', courseId);
    if (studentId !== undefined) query = query.where('gradebook_student.student_id', '=', studentId);
    const rows = await query
      .orderBy('gradebook_assignment.name')
      .orderBy('gradebook_student.student_id')
      .execute();
    return rows.map((r) => ({ assignment: r.name, student: r.student_id, seconds: Number(r.seconds) }));
  }

  /** Replaces the student's extension on the assignment; null removes it. */
  async replaceExtension(assignmentId: number, studentPk: number, seconds: number | null): Promise<void> {
    await this.db
      .deleteFrom('gradebook_extension')
      .where('assignment_id', '=', assignmentId)
      .where('student_pk', '=', studentPk)
      .execute();
    if (seconds === null) return;
    await this.db
      .insertInto('gradebook_extension')
      .values({ assignment_id: assignmentId, student_pk: studentPk, seconds })
      .execute();
  }
}

function studentColumns(changes: StudentChanges) {
  return {
    ...(changes.firstName !== undefined ? { first_name: changes.firstName } : {}),
    ...(changes.lastName !== undefined ? { last_name: changes.lastName } : {}),
    ...(changes.email !== undefined ? { email: changes.email } : {}),
  };
}
