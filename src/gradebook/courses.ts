/**
 * Courses, assignments and students: the gradebook's roster, as nbgrader's `db` commands manage it.
 * The rules live here (which ids are valid, what may not be removed without --force); the rows are
 * read and written by the course store (src/db/stores/courses.ts).
 */
import type { AssignmentRow } from '../db/stores/courses.js';
import type { GradebookStore } from '../db/stores/gradebook.js';
import { GradebookInvalidEntryError, GradebookMissingEntryError } from './errors.js';

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
export async function ensureCourse(store: GradebookStore, courseName: string): Promise<number> {
  return store.courses.ensureCourse(courseName);
}

export async function updateOrCreateAssignment(
  store: GradebookStore,
  courseId: number,
  name: string,
  changes: { duedate?: string | null } = {},
): Promise<number> {
  if (!SAFE_NAME.test(name) || name === '.' || name === '..') {
    throw new GradebookInvalidEntryError(`'${name}' is not a valid assignment id.`, {
      hint: 'An assignment id is a non-empty name without slashes (it names a folder of the course).',
    });
  }
  const existing = await store.courses.findAssignment(courseId, name);
  if (existing) {
    if (changes.duedate !== undefined) await store.courses.setDuedate(existing.id, changes.duedate);
    return existing.id;
  }
  return store.courses.insertAssignment(courseId, name, changes.duedate ?? null);
}

export async function requireAssignment(
  store: GradebookStore,
  courseId: number,
  name: string,
): Promise<AssignmentRow> {
  const row = await store.courses.findAssignment(courseId, name);
  if (!row) {
    throw new GradebookMissingEntryError(`No assignment with ID '${name}' exists in the gradebook.`, {
      hint: `Add it with \`coursehub nbgrader db assignment add ${name}\` (or generate it first).`,
    });
  }
  return row;
}

/** The course's assignments by name. */
export async function listAssignments(store: GradebookStore, courseId: number): Promise<AssignmentRecord[]> {
  const rows = await store.courses.listAssignments(courseId);
  return rows.map((r) => ({ name: r.name, duedate: r.duedate }));
}

/**
 * Removes an assignment. Like nbgrader, refuses when submissions exist unless `force`, because
 * removing it deletes every grade of it.
 */
export async function removeAssignment(
  store: GradebookStore,
  courseId: number,
  name: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const row = await requireAssignment(store, courseId, name);
  const submissions = await store.submissions.count({ assignmentId: row.id });
  if (submissions > 0 && !options.force) {
    throw new GradebookInvalidEntryError(
      `Assignment '${name}' has ${submissions} submission(s); removing it would delete their grades.`,
      { hint: 'Pass --force to remove it anyway.' },
    );
  }
  await store.courses.deleteAssignment(row.id);
}

function checkStudentId(id: string): void {
  if (!SAFE_NAME.test(id) || id === '.' || id === '..')
    throw new GradebookInvalidEntryError(`'${id}' is not a valid student id.`, {
      hint: 'A student id is a non-empty name without slashes (it names a folder of the course).',
    });
}

export async function updateOrCreateStudent(
  store: GradebookStore,
  courseId: number,
  student: { id: string } & Partial<Omit<StudentRecord, 'id'>>,
): Promise<number> {
  checkStudentId(student.id);
  const { id, ...changes } = student;
  const existing = await store.courses.findStudentPk(courseId, id);
  if (existing !== undefined) {
    await store.courses.updateStudent(existing, changes);
    return existing;
  }
  return store.courses.insertStudent(courseId, id, changes);
}

/**
 * Adds the students of `ids` not in the course yet (nbgrader's collect does for each student it
 * collects); those there are left as they are. One statement per thousand students.
 */
export async function ensureStudents(
  store: GradebookStore,
  courseId: number,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) checkStudentId(id);
  await store.courses.insertMissingStudents(courseId, ids);
}

/** The course's students in the order they were added. */
export async function listStudents(store: GradebookStore, courseId: number): Promise<StudentRecord[]> {
  const rows = await store.courses.listStudents(courseId);
  return rows.map((r) => ({ id: r.id, firstName: r.firstName, lastName: r.lastName, email: r.email }));
}

export async function findStudentPk(
  store: GradebookStore,
  courseId: number,
  studentId: string,
): Promise<number | undefined> {
  return store.courses.findStudentPk(courseId, studentId);
}

export async function removeStudent(
  store: GradebookStore,
  courseId: number,
  studentId: string,
  options: { force?: boolean } = {},
): Promise<void> {
  const pk = await store.courses.findStudentPk(courseId, studentId);
  if (pk === undefined) {
    throw new GradebookMissingEntryError(`No student with ID '${studentId}' exists in the gradebook.`, {
      hint: 'List the students with `coursehub nbgrader db student list`.',
    });
  }
  const submissions = await store.submissions.count({ studentPk: pk });
  if (submissions > 0 && !options.force) {
    throw new GradebookInvalidEntryError(
      `Student '${studentId}' has ${submissions} submission(s); removing them would delete their grades.`,
      { hint: 'Pass --force to remove the student anyway.' },
    );
  }
  await store.courses.deleteStudent(pk);
}

/** Gives one student more time on one assignment (nbgrader's Extension); 0 removes it. */
export async function setExtension(
  store: GradebookStore,
  courseId: number,
  assignmentName: string,
  studentId: string,
  seconds: number,
): Promise<void> {
  const assignment = await requireAssignment(store, courseId, assignmentName);
  const studentPk = await updateOrCreateStudent(store, courseId, { id: studentId });
  await store.courses.replaceExtension(assignment.id, studentPk, seconds > 0 ? seconds : null);
}

/** The course's extensions (or one student's): assignment, student id and seconds added to the due date. */
export async function listExtensions(
  store: GradebookStore,
  courseId: number,
  studentId?: string,
): Promise<{ assignment: string; student: string; seconds: number }[]> {
  return store.courses.extensions(courseId, studentId);
}
