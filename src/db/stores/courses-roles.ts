/**
 * The hub's courses (name, title, directory, Unix group) and who has which role in each. Rows in,
 * rows out: the rules (valid ids, who may do what) are the exchange layer's
 * (src/exchange/courses/). Not the gradebook's course rows (./courses.ts), which nbgrader's
 * commands keep by name.
 */
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../schema-helpers.js';
import type { Database } from '../schema.js';
import type { CoursesTable } from '../tables/courses.js';

export type CourseRoleName = 'instructor' | 'grader' | 'student';

export interface HubCourseRow {
  id: number;
  name: string;
  title: string;
  directory: string;
  unixGroup: string | null;
  created: string;
}

export interface CourseMemberRow {
  userId: number;
  userName: string;
  role: CourseRoleName;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
}

function toCourse(row: Selectable<CoursesTable>): HubCourseRow {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    directory: row.directory,
    unixGroup: row.unix_group,
    created: row.created,
  };
}

export class HubCourseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async findByName(name: string): Promise<HubCourseRow | undefined> {
    const row = await this.db.selectFrom('courses').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toCourse(row);
  }

  async all(): Promise<HubCourseRow[]> {
    return (await this.db.selectFrom('courses').selectAll().orderBy('name').execute()).map(toCourse);
  }

  async insert(course: Omit<HubCourseRow, 'id' | 'created'>): Promise<HubCourseRow> {
    const row = await this.db
      .insertInto('courses')
      .values({
        name: course.name,
        title: course.title,
        directory: course.directory,
        unix_group: course.unixGroup,
        created: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCourse(row);
  }

  async update(id: number, changes: { title?: string; directory?: string; unixGroup?: string | null }) {
    const set = {
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(changes.directory !== undefined ? { directory: changes.directory } : {}),
      ...(changes.unixGroup !== undefined ? { unix_group: changes.unixGroup } : {}),
    };
    if (Object.keys(set).length === 0) return;
    await this.db.updateTable('courses').set(set).where('id', '=', id).execute();
  }

  /** The user's role in the course, or undefined. */
  async roleOf(courseId: number, userId: number): Promise<CourseRoleName | undefined> {
    const row = await this.db
      .selectFrom('course_roles')
      .select('role')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role as CourseRoleName | undefined;
  }

  /** Sets (replaces) the user's role in the course. */
  async setRole(courseId: number, userId: number, role: CourseRoleName): Promise<void> {
    await this.db
      .deleteFrom('course_roles')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .execute();
    await this.db
      .insertInto('course_roles')
      .values({ course_id: courseId, user_id: userId, role, created: nowIso() })
      .execute();
  }

  /** Removes the user's role; false when they had none. */
  async removeRole(courseId: number, userId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('course_roles')
      .where('course_id', '=', courseId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Everyone with a role in the course, by name. */
  async members(courseId: number): Promise<CourseMemberRow[]> {
    const rows = await this.db
      .selectFrom('course_roles')
      .innerJoin('users', 'users.id', 'course_roles.user_id')
      .select([
        'users.id as userId',
        'users.name as userName',
        'course_roles.role as role',
        'users.first_name as firstName',
        'users.last_name as lastName',
        'users.email as email',
      ])
      .where('course_roles.course_id', '=', courseId)
      .orderBy('users.name')
      .execute();
    return rows.map((r) => ({ ...r, role: r.role as CourseRoleName }));
  }

  /** The courses the user has a role in, with the role. */
  async coursesOf(userId: number): Promise<(HubCourseRow & { role: CourseRoleName })[]> {
    const rows = await this.db
      .selectFrom('course_roles')
      .innerJoin('courses', 'courses.id', 'course_roles.course_id')
      .selectAll('courses')
      .select('course_roles.role as role')
      .where('course_roles.user_id', '=', userId)
      .orderBy('courses.name')
      .execute();
    return rows.map((r) => ({ ...toCourse(r), role: r.role as CourseRoleName }));
  }
}
