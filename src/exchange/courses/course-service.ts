/**
 * Courses on the hub and who has which role in each: the rules over the course stores. A course has
 * an id (nbgrader's course_id), a title and a course directory (DATA_DIR/courses/ID unless given);
 * roles are instructor (everything), grader (grading and feedback) and student. Enrolling a student
 * also lists them in the course's gradebook with their names and email, as the seed's
 * `nbgrader db student add` did. Users are looked up, never created here: making users is the
 * hub's (src/hub/courses/course-enrollment.ts).
 *
 * It lives in the exchange layer because the exchange is its first user (who may release, fetch,
 * submit) and needs nothing above it; the gradebook below keeps nbgrader's course rows by name.
 */
import { join, resolve } from 'node:path';
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { CourseRoleName, HubCourseRow } from '../../db/stores/courses-roles.js';
import { ensureCourse, updateOrCreateStudent } from '../../gradebook/courses.js';
import { ensureCourseGroup, type CourseGroup } from '../../sandbox/course-groups.js';
import {
  CourseExistsError,
  CourseNotFoundError,
  CourseRoleError,
  InvalidCourseNameError,
} from '../errors.js';
import { groupAccessAdvice, prepareCourseFolder } from './course-folder.js';
import { checkCourseId } from './course-names.js';

export type { CourseRoleName, HubCourseRow } from '../../db/stores/courses-roles.js';
export const COURSE_ROLES: readonly CourseRoleName[] = ['instructor', 'grader', 'student'];

export interface NewCourse {
  id: string;
  title?: string;
  /** The course directory; default DATA_DIR/courses/ID. A relative path is taken from the cwd. */
  directory?: string;
}

/** One person to enroll: a user name (the user must exist) and, for the gradebook, names and email. */
export interface Enrollee {
  name: string;
  role: CourseRoleName;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
}

export interface CourseServiceOptions {
  /** The hub's data directory: courses live in DATA_DIR/courses/ID unless given another folder. */
  dataDir: string;
  /** Whether each course gets its Unix group (`ch-ID`, a hub that is root); default: when root. */
  unixGroups?: boolean;
}

export class CourseService {
  private readonly unixGroups: boolean;

  constructor(
    private readonly stores: CourseStores,
    private readonly options: CourseServiceOptions,
  ) {
    this.unixGroups = options.unixGroups ?? process.getuid?.() === 0;
  }

  /** Creates a course, its directory (made when missing), its Unix group and its gradebook row. */
  async create(course: NewCourse): Promise<HubCourseRow> {
    const id = checkCourseId(course.id);
    if (await this.stores.courses.findByName(id))
      throw new CourseExistsError(`The course ${id} exists already.`, {
        hint: 'Enroll people in it with `coursehub course enroll`, or pick another id.',
      });
    return this.makeCourse(id, course);
  }

  /**
   * The course, created when missing; an existing one gets the directory and title given (the
   * seed's course follows COURSE_HOME at every start).
   */
  async ensure(course: NewCourse): Promise<HubCourseRow> {
    const id = checkCourseId(course.id);
    const existing = await this.stores.courses.findByName(id);
    if (!existing) return this.makeCourse(id, course);
    const directory = course.directory === undefined ? existing.directory : resolve(course.directory);
    const title = course.title ?? existing.title;
    if (directory !== existing.directory || title !== existing.title) {
      await prepareCourseFolder(directory, await this.groupOf(id));
      await this.stores.courses.update(existing.id, { directory, title });
    }
    return (await this.stores.courses.findByName(id))!;
  }

  private async makeCourse(id: string, course: NewCourse): Promise<HubCourseRow> {
    if (course.directory !== undefined && course.directory.trim() === '')
      throw new InvalidCourseNameError('The course directory is empty.', {
        hint: `Give a folder, or none for the default (DATA_DIR/courses/${id}).`,
      });
    const directory = resolve(course.directory ?? join(this.options.dataDir, 'courses', id));
    const group = await this.groupOf(id);
    await prepareCourseFolder(directory, group);
    return this.stores.transaction(async (trx) => {
      const row = await trx.courses.insert({
        name: id,
        title: course.title?.trim() || id,
        directory,
        unixGroup: group?.name ?? null,
      });
      await ensureCourse(trx.gradebook, id);
      return row;
    });
  }

  /**
   * For the start log: the commands that would let the course's instructors and graders share its
   * directory, when it is a folder coursehub did not make and has not the course group's access
   * (coursehub leaves an existing folder's owner and mode alone); undefined when nothing is amiss.
   */
  async groupAccessAdvice(courseId: string): Promise<string | undefined> {
    const course = await this.require(courseId);
    return groupAccessAdvice(course.directory, await this.groupOf(course.name));
  }

  private async groupOf(id: string): Promise<CourseGroup | undefined> {
    return this.unixGroups ? ensureCourseGroup(id) : undefined;
  }

  async all(): Promise<HubCourseRow[]> {
    return this.stores.courses.all();
  }

  async find(id: string): Promise<HubCourseRow | undefined> {
    return this.stores.courses.findByName(id);
  }

  async require(id: string): Promise<HubCourseRow> {
    const course = await this.stores.courses.findByName(id);
    if (!course)
      throw new CourseNotFoundError(`There is no course ${JSON.stringify(id)}.`, {
        hint: 'Create it first: coursehub course create ID (or check the id).',
      });
    return course;
  }

  /**
   * Gives each person their role in the course, all or none: every user must exist. A student is
   * also put in the gradebook's student list (names and email updated); someone who stops being a
   * student stays there, with their grades.
   */
  async enroll(courseId: string, people: readonly Enrollee[]): Promise<void> {
    const course = await this.require(courseId);
    await this.stores.transaction(async (trx) => {
      const gradebookCourse = await ensureCourse(trx.gradebook, course.name);
      for (const person of people) {
        const user = await trx.users.findByName(person.name);
        if (!user)
          throw new CourseNotFoundError(`There is no user ${person.name}; nobody was enrolled.`, {
            hint: 'Create the user first (admin console, `coursehub users import`), or use `coursehub course enroll`, which creates missing users.',
          });
        await trx.courses.setRole(course.id, user.id, person.role);
        if (person.role === 'student')
          await updateOrCreateStudent(trx.gradebook, gradebookCourse, {
            id: user.name,
            firstName: person.firstName ?? user.firstName,
            lastName: person.lastName ?? user.lastName,
            email: person.email ?? user.email,
          });
      }
    });
  }

  /** Removes the user's role in the course (their work and grades stay); false when they had none. */
  async unenroll(courseId: string, userName: string): Promise<boolean> {
    const course = await this.require(courseId);
    const user = await this.stores.users.findByName(userName);
    return user ? this.stores.courses.removeRole(course.id, user.id) : false;
  }

  /** The user's role in the course, or undefined (no such course, user or role). */
  async roleOf(courseId: string, userName: string): Promise<CourseRoleName | undefined> {
    const course = await this.stores.courses.findByName(courseId);
    const user = await this.stores.users.findByName(userName);
    if (!course || !user) return undefined;
    return this.stores.courses.roleOf(course.id, user.id);
  }

  /** The course, if the user has one of `roles` in it; CourseRoleError otherwise. */
  async requireRole(
    courseId: string,
    userName: string,
    roles: readonly CourseRoleName[],
  ): Promise<HubCourseRow & { role: CourseRoleName }> {
    // A course that does not exist is refused as one the user has no role in: whether a course
    // exists is not told to those outside it.
    const course = await this.stores.courses.findByName(courseId);
    const role = course && (await this.roleOf(course.name, userName));
    if (!course || !role || !roles.includes(role))
      throw new CourseRoleError(
        `${userName} is not ${roles.map((r) => `${article(r)} ${r}`).join(' or ')} of ${JSON.stringify(courseId)}.`,
        { hint: 'Ask an instructor of the course (or an admin) to enroll you with that role.' },
      );
    return { ...course, role };
  }

  /** The courses the user has a role in, with the role. */
  async coursesOf(userName: string): Promise<(HubCourseRow & { role: CourseRoleName })[]> {
    const user = await this.stores.users.findByName(userName);
    return user ? this.stores.courses.coursesOf(user.id) : [];
  }

  async members(courseId: string) {
    const course = await this.require(courseId);
    return this.stores.courses.members(course.id);
  }
}

const article = (role: string) => (/^[aeiou]/.test(role) ? 'an' : 'a');
