/**
 * Enrolling people in courses from the seed's roster files, creating the users that are missing:
 * `coursehub course enroll COURSE --instructors F --graders F --students F`, and the seed's own
 * course (`course.name`, COURSE_NAME): its instructors and students are those of `users.instructors`
 * and `users.students`, and a student an admin adds later (console, REST API, CSV) is enrolled in
 * it too, which the seed forgot.
 *
 * Every file is read and checked before anything is written (./roster-csv.ts: header, ids,
 * encoding; someone in two files is refused); then the missing users are made and the roles set.
 */
import type { CourseRoleName, CourseService, Enrollee } from '../../exchange/courses/course-service.js';
import type { CoursehubConfig } from '../../config/schema.js';
import { readRosterFile, type RosterEntry } from '../users/roster-csv.js';
import { RosterImportError, type ImportedEntry } from '../users/roster-import.js';
import { parseUsername } from '../users/username.js';
import { StudentCsvError, type StudentCsvRow } from './student-csv.js';
import type { UserService } from '../users/user-service.js';

export interface EnrollmentFiles {
  instructors?: string;
  graders?: string;
  students?: string;
}

export interface EnrollmentReport {
  /** Users that did not exist and were made. */
  createdUsers: string[];
  /** Everyone enrolled, by role. */
  enrolled: Record<CourseRoleName, string[]>;
}

const FILE_ROLES: [keyof EnrollmentFiles, CourseRoleName][] = [
  ['instructors', 'instructor'],
  ['graders', 'grader'],
  ['students', 'student'],
];

export class CourseEnrollment {
  constructor(
    private readonly users: UserService,
    private readonly courses: CourseService,
    /** The seed's course (`course` section), or none. */
    private readonly seed: CoursehubConfig['course'],
  ) {}

  async enrollFiles(courseId: string, files: EnrollmentFiles): Promise<EnrollmentReport> {
    await this.courses.require(courseId);
    const rosters: [CourseRoleName, string, RosterEntry[]][] = [];
    for (const [key, role] of FILE_ROLES) {
      const file = files[key];
      if (file) rosters.push([role, file, readRosterFile(file)]);
    }
    refuseTwoFiles(rosters);
    const people = rosters.flatMap(([role, , entries]) => entries.map((entry) => enrollee(entry, role)));
    return this.enroll(courseId, people);
  }

  /** Enrolls people (users made when missing, as ordinary users); one bad name enrolls nobody. */
  async enroll(courseId: string, people: Enrollee[]): Promise<EnrollmentReport> {
    const createdUsers = await this.users.inTransaction(async (users) => {
      const made: string[] = [];
      for (const person of people) {
        if (await users.get(person.name)) continue;
        await users.create({
          name: person.name,
          firstName: person.firstName ?? null,
          lastName: person.lastName ?? null,
          email: person.email ?? null,
        });
        made.push(person.name);
      }
      return made;
    });
    await this.courses.enroll(courseId, people);
    const enrolled: Record<CourseRoleName, string[]> = { instructor: [], grader: [], student: [] };
    for (const person of people) enrolled[person.role].push(person.name);
    return { createdUsers, enrolled };
  }

  /**
   * Students of a CSV file (./student-csv.ts, checked already) as the course's students: missing
   * users are made, names and emails updated. Someone who teaches or grades the course is refused
   * (a roster never demotes a colleague); then nobody is imported.
   */
  async importStudents(
    courseId: string,
    rows: readonly StudentCsvRow[],
    label: string,
  ): Promise<EnrollmentReport> {
    if (rows.length === 0)
      throw new StudentCsvError(`${label} lists no students; nobody was imported.`, {
        hint: 'Put one student a line below the header id,first_name,last_name,email.',
      });
    const problems: string[] = [];
    for (const row of rows) {
      const role = await this.courses.roleOf(courseId, row.id);
      if (role !== undefined && role !== 'student')
        problems.push(
          `${label}:${row.line}: ${row.id} is ${role === 'instructor' ? 'an instructor' : 'a grader'} of ${courseId}`,
        );
    }
    if (problems.length > 0)
      throw new StudentCsvError(`${label} was refused; nobody was imported:\n  ${problems.join('\n  ')}`, {
        hint: 'Take the course staff out of the students file (their role is changed by an admin).',
      });
    return this.enroll(
      courseId,
      rows.map((row) => ({
        name: row.id,
        role: 'student' as const,
        firstName: row.firstName,
        lastName: row.lastName,
        email: row.email,
      })),
    );
  }

  /**
   * `db student add ID [--first-name] [--last-name] [--email]` on the hub: the user (made when
   * missing) becomes a student of the course, with those names in the gradebook. The course's
   * instructors and graders are refused (adding never demotes a colleague).
   */
  async addStudent(
    courseId: string,
    student: { id: string; firstName?: string | null; lastName?: string | null; email?: string | null },
  ): Promise<EnrollmentReport> {
    const name = parseUsername(student.id);
    const role = await this.courses.roleOf(courseId, name);
    if (role !== undefined && role !== 'student')
      throw new StudentCsvError(
        `${name} is ${role === 'instructor' ? 'an instructor' : 'a grader'} of ${courseId}.`,
        {
          hint: 'Only people without a role in the course (or students) are added as students.',
        },
      );
    return this.enroll(courseId, [
      {
        name,
        role: 'student',
        firstName: student.firstName ?? null,
        lastName: student.lastName ?? null,
        email: student.email ?? null,
      },
    ]);
  }

  /** The seed's course, made (or moved to COURSE_HOME) when configured; undefined without one. */
  async ensureSeedCourse(): Promise<string | undefined> {
    if (!this.seed.name) return undefined;
    const course = await this.courses.ensure({
      id: this.seed.name,
      title: this.seed.title,
      directory: this.seed.home,
    });
    return course.name;
  }

  /** Roster users in the seed's course: instructors.csv as instructors, students.csv as students. */
  async enrollRosterInSeedCourse(imported: ImportedEntry[]): Promise<void> {
    const course = await this.ensureSeedCourse();
    if (!course || imported.length === 0) return;
    await this.courses.enroll(
      course,
      imported.map(({ roster, entry }) =>
        enrollee(entry, roster === 'instructors' ? 'instructor' : 'student'),
      ),
    );
  }

  /** Users an admin added: each ordinary user becomes a student of the seed's course. */
  async enrollNewUsers(users: readonly NewlyCreatedUser[]): Promise<void> {
    const students = users.filter((user) => !user.admin);
    if (students.length === 0) return;
    const course = await this.ensureSeedCourse();
    if (!course) return;
    await this.courses.enroll(
      course,
      students.map((user) => ({
        name: user.name,
        role: 'student' as const,
        firstName: user.firstName,
        lastName: user.lastName,
        email: user.email,
      })),
    );
  }
}

export interface NewlyCreatedUser {
  name: string;
  admin: boolean;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
}

function enrollee(entry: RosterEntry, role: CourseRoleName): Enrollee {
  return {
    name: entry.name,
    role,
    firstName: entry.firstName,
    lastName: entry.lastName,
    email: entry.email,
  };
}

/** Someone in two files is refused: enrolling does not guess which role was meant. */
function refuseTwoFiles(rosters: [CourseRoleName, string, RosterEntry[]][]): void {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [, file, entries] of rosters)
    for (const entry of entries) {
      const earlier = seen.get(entry.name);
      if (earlier) problems.push(`${entry.name} is in both ${earlier} and ${file}:${entry.line}`);
      else seen.set(entry.name, `${file}:${entry.line}`);
    }
  if (problems.length > 0)
    throw new RosterImportError(
      `The roster files were refused; nobody was enrolled:\n  ${problems.join('\n  ')}`,
      { hint: 'Each person has one role in a course: keep each id in one of the files.' },
    );
}
