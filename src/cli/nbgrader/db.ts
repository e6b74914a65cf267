/**
 * `coursehub nbgrader db student|assignment ...`: the course gradebook's roster, as nbgrader's
 * `db` commands manage it (the gradebook is COURSE/coursehub-gradebook.sqlite).
 */
import { Command } from 'commander';
import {
  listAssignments,
  listStudents,
  removeAssignment,
  removeStudent,
  updateOrCreateAssignment,
  updateOrCreateStudent,
} from '../../gradebook/courses.js';
import { formatNaiveUtc, parseUtc } from '../../gradebook/timestamps.js';
import { readCsvRows } from '../../hub/users/roster-csv.js';
import { CoursehubError } from '../../util/errors.js';
import { openCourse, type CourseContext } from './course-settings.js';
import {
  hubAddAssignment,
  hubAddStudent,
  hubImportStudents,
  hubListAssignments,
  hubListStudents,
  hubRemoveAssignment,
  hubRemoveStudent,
  withHubCourse,
  type HubCourseFlags,
} from './hub-course.js';

export class StudentImportError extends CoursehubError {}

interface StudentRow {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  line: number;
}

/**
 * The students of a CSV file with an `id` column (and optionally first_name, last_name, email),
 * read as the hub's roster files are (strict UTF-8, refusals naming the line). Read whole before
 * the gradebook is opened, so a bad file changes nothing.
 */
function readStudentsCsv(file: string): StudentRow[] {
  const [header, ...rows] = readCsvRows(file);
  if (!header) return [];
  const columns = header.fields.map((name) => name.toLowerCase());
  const column = (name: string) => columns.indexOf(name);
  if (column('id') === -1)
    throw new StudentImportError(`${file}:${header.line}: there is no 'id' column.`, {
      hint: 'The first line must name the columns, e.g. id,first_name,last_name,email.',
    });
  return rows.map(({ fields, line }) => {
    const value = (name: string) => {
      const at = column(name);
      return at === -1 || fields[at] === undefined || fields[at] === '' ? null : fields[at]!;
    };
    const id = value('id');
    if (id === null)
      throw new StudentImportError(`${file}:${line}: the id is empty.`, {
        hint: 'Every student needs an id; nothing was imported.',
      });
    return { id, firstName: value('first_name'), lastName: value('last_name'), email: value('email'), line };
  });
}

async function withCourse(courseDir: string, work: (course: CourseContext) => Promise<void>): Promise<void> {
  const course = await openCourse(courseDir);
  try {
    await work(course);
  } finally {
    await course.gradebook.close();
  }
}

const courseDirOption = ['--course-dir <dir>', 'the nbgrader course directory', '.'] as const;

function studentCommands(): Command {
  const student = new Command('student').description('students of the course gradebook').exitOverride();
  student
    .command('add <id>')
    .description('add a student, or update their name and email')
    .option('--first-name <name>')
    .option('--last-name <name>')
    .option('--email <email>')
    .option(...courseDirOption);
  withHubCourse(student.commands.at(-1)!).action(
    async (
      id: string,
      flags: HubCourseFlags & { firstName?: string; lastName?: string; email?: string; courseDir: string },
    ) => {
      if (flags.course) return hubAddStudent(id, { ...flags, course: flags.course });
      await withCourse(flags.courseDir, async ({ gradebook }) => {
        await updateOrCreateStudent(gradebook.store, gradebook.courseId, {
          id,
          firstName: flags.firstName ?? null,
          lastName: flags.lastName ?? null,
          email: flags.email ?? null,
        });
        console.log(`Creating/updating student with ID '${id}'`);
      });
    },
  );
  student
    .command('remove <id>')
    .description('remove a student (--force also deletes their grades)')
    .option('-f, --force', 'remove even if the student has submissions')
    .option(...courseDirOption);
  withHubCourse(student.commands.at(-1)!).action(
    async (id: string, flags: HubCourseFlags & { force?: boolean; courseDir: string }) => {
      if (flags.course) return hubRemoveStudent(id, { ...flags, course: flags.course });
      await withCourse(flags.courseDir, async ({ gradebook }) => {
        await removeStudent(gradebook.store, gradebook.courseId, id, { force: flags.force ?? false });
        console.log(`Removed student with ID '${id}'`);
      });
    },
  );
  student
    .command('list')
    .description('list the students')
    .option(...courseDirOption);
  withHubCourse(student.commands.at(-1)!).action(async (flags: HubCourseFlags & { courseDir: string }) => {
    if (flags.course) return hubListStudents({ ...flags, course: flags.course });
    await withCourse(flags.courseDir, async ({ gradebook }) => {
      const students = await listStudents(gradebook.store, gradebook.courseId);
      console.log('There are %d students in the database:', students.length);
      for (const s of students) {
        console.log(`${s.id} (${s.lastName ?? 'None'}, ${s.firstName ?? 'None'}) -- ${s.email ?? 'None'}`);
      }
    });
  });
  student
    .command('import <file>')
    .description(
      "add or update students from a CSV file with an 'id' column (and first_name, last_name, email)",
    )
    .option(...courseDirOption);
  withHubCourse(student.commands.at(-1)!).action(
    async (file: string, flags: HubCourseFlags & { courseDir: string }) => {
      if (flags.course) return hubImportStudents(file, { ...flags, course: flags.course });
      const students = readStudentsCsv(file);
      await withCourse(flags.courseDir, async ({ gradebook }) => {
        // One transaction: a bad row leaves the gradebook as it was.
        await gradebook.store.withTransaction(async (tx) => {
          for (const { line, ...student } of students) {
            try {
              await updateOrCreateStudent(tx, gradebook.courseId, student);
            } catch (error) {
              if (!(error instanceof CoursehubError)) throw error;
              throw new StudentImportError(`${file}:${line}: ${error.message}`, {
                hint: 'Fix the line and import again; nothing was imported.',
                cause: error,
              });
            }
          }
        });
        console.log(`Imported ${students.length} students from ${file}`);
      });
    },
  );
  return student;
}

function assignmentCommands(): Command {
  const assignment = new Command('assignment')
    .description('assignments of the course gradebook')
    .exitOverride();
  assignment
    .command('add <id>')
    .description('add an assignment, or update its due date')
    .option('--duedate <when>', 'the due date, e.g. "2024-03-01 17:00:00 UTC" or "... America/New_York"')
    .option(...courseDirOption);
  withHubCourse(assignment.commands.at(-1)!).action(
    async (id: string, flags: HubCourseFlags & { duedate?: string; courseDir: string }) => {
      if (flags.course) return hubAddAssignment(id, { ...flags, course: flags.course });
      const duedate = flags.duedate === undefined ? undefined : formatNaiveUtc(parseUtc(flags.duedate));
      await withCourse(flags.courseDir, async ({ gradebook }) => {
        await updateOrCreateAssignment(
          gradebook.store,
          gradebook.courseId,
          id,
          duedate === undefined ? {} : { duedate },
        );
        console.log(`Creating/updating assignment with ID '${id}'${duedate ? ` due ${duedate} UTC` : ''}`);
      });
    },
  );
  assignment
    .command('remove <id>')
    .description('remove an assignment (--force also deletes its grades)')
    .option('-f, --force', 'remove even if it has submissions')
    .option(...courseDirOption);
  withHubCourse(assignment.commands.at(-1)!).action(
    async (id: string, flags: HubCourseFlags & { force?: boolean; courseDir: string }) => {
      if (flags.course) return hubRemoveAssignment(id, { ...flags, course: flags.course });
      await withCourse(flags.courseDir, async ({ gradebook }) => {
        await removeAssignment(gradebook.store, gradebook.courseId, id, { force: flags.force ?? false });
        console.log(`Removed assignment with ID '${id}'`);
      });
    },
  );
  assignment
    .command('list')
    .description('list the assignments')
    .option(...courseDirOption);
  withHubCourse(assignment.commands.at(-1)!).action(async (flags: HubCourseFlags & { courseDir: string }) => {
    if (flags.course) return hubListAssignments({ ...flags, course: flags.course });
    await withCourse(flags.courseDir, async ({ gradebook }) => {
      const assignments = await listAssignments(gradebook.store, gradebook.courseId);
      console.log('There are %d assignments in the database:', assignments.length);
      for (const a of assignments) console.log(`${a.name} (due: ${a.duedate ?? 'None'})`);
    });
  });
  return assignment;
}

export function nbgraderDbCommand(): Command {
  return new Command('db')
    .description('the course gradebook (COURSE/coursehub-gradebook.sqlite): students and assignments')
    .exitOverride()
    .addCommand(studentCommands())
    .addCommand(assignmentCommands());
}
