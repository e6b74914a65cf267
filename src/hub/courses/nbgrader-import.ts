/**
 * Moving a class in from nbgrader: `coursehub course import-nbgrader COURSE_DIR --course C`.
 * nbgrader's gradebook.db is read whole and checked first (src/db/nbgrader/: revision, damage,
 * locks), then the course's ids are checked against nbgrader_config.py and --course. Only then is
 * anything written:
 *
 *   1. the course files (source/, release/, submitted/, autograded/, feedback/, nbgrader_config.py)
 *      are copied into a folder beside the course directory (stageBeside);
 *   2. in ONE transaction: the course, its gradebook (assignments, notebooks, cells, students,
 *      submissions, extensions, grades, comments, flags, late penalties), the hub users that are
 *      missing and the students' roles; the staged folder is renamed into place as the
 *      transaction's last step, so a failure anywhere leaves neither rows nor files.
 *
 * A second run of the same import finds the course holding exactly this gradebook and changes
 * nothing; a course of that id holding anything else is refused.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readNbgraderConfigFile, NBGRADER_CONFIG_FILE } from '../../course/nbgrader-config-file.js';
import { copyTree } from '../../course/copy-tree.js';
import { stageBeside } from '../../course/staged-folder.js';
import type { CourseStores } from '../../db/stores/course-stores.js';
import { NbgraderGradebookError } from '../../db/nbgrader/errors.js';
import { countGradebook, type NbgraderGradebook } from '../../db/nbgrader/model.js';
import { readNbgraderGradebook } from '../../db/nbgrader/read-gradebook.js';
import { COURSE_STEP_FOLDERS, prepareCourseFolder } from '../../exchange/courses/course-folder.js';
import { checkCourseId } from '../../exchange/courses/course-names.js';
import { CourseExistsError } from '../../exchange/errors.js';
import { ensureCourseGroup } from '../../sandbox/course-groups.js';
import type { AccountNameCheck } from '../users/unix-account-names.js';
import { normalizeUsername, usernameProblem } from '../users/username.js';

export const NBGRADER_GRADEBOOK_FILE = 'gradebook.db';

export interface NbgraderImportOptions {
  /** The hub's data directory: the course goes to DATA_DIR/courses/C. */
  dataDir: string;
  /** Whether the course gets its Unix group (a hub that is root); default: when root. */
  unixGroups?: boolean;
  /** Names this hub cannot give a user (see ../users/unix-account-names.ts). */
  accountCheck?: AccountNameCheck;
}

export interface NbgraderImportReport {
  course: string;
  directory: string;
  dryRun: boolean;
  /** The course held exactly this gradebook already: nothing was changed. */
  unchanged: boolean;
  counts: ReturnType<typeof countGradebook>;
  /** Hub users made for students who had none. */
  newUsers: string[];
  /**
   * Students kept in the gradebook (with every grade) but given no hub user, as their id cannot
   * be one (a system account's name, not a valid username), with the reason.
   */
  withoutUser: { id: string; reason: string }[];
  /** Files copied into the course directory. */
  files: number;
}

export class NbgraderImport {
  private readonly unixGroups: boolean;

  constructor(
    private readonly stores: CourseStores,
    private readonly options: NbgraderImportOptions,
  ) {
    this.unixGroups = options.unixGroups ?? process.getuid?.() === 0;
  }

  async run(
    courseDir: string,
    courseId: string,
    options: { dryRun?: boolean } = {},
  ): Promise<NbgraderImportReport> {
    const source = resolve(courseDir);
    const course = checkCourseId(courseId);
    const book = readNbgraderGradebook(join(source, NBGRADER_GRADEBOOK_FILE));
    await checkCourseOfGradebook(source, course, book.courseIds);
    const gradebook: NbgraderGradebook = {
      courseId: course,
      assignments: book.assignments,
      students: book.students,
    };
    const withoutUser = new Map<string, string>();
    for (const student of book.students) {
      const problem = await this.userProblem(student.id);
      if (problem) withoutUser.set(student.id, problem);
    }

    const directory = resolve(join(this.options.dataDir, 'courses', course));
    const files = await countFiles(source);
    const report = (extra: Partial<NbgraderImportReport>): NbgraderImportReport => ({
      course,
      directory,
      dryRun: options.dryRun === true,
      unchanged: false,
      counts: countGradebook(gradebook),
      newUsers: [],
      withoutUser: [...withoutUser].map(([id, reason]) => ({ id, reason })),
      files,
      ...extra,
    });

    const existing = await this.stores.courses.findByName(course);
    if (existing) {
      const gradebookCourse = await this.stores.gradebook.courses.ensureCourse(course);
      const held = await this.stores.gradebook.transfer.read(gradebookCourse, course);
      if (isDeepStrictEqual(comparable(held), comparable(gradebook)))
        return report({ unchanged: true, directory: existing.directory });
      throw new CourseExistsError(
        `The course ${course} exists already and holds another gradebook; nothing was imported.`,
        {
          hint: 'Import under another --course id, or remove that course first.',
        },
      );
    }
    if (await pathExists(directory))
      throw new CourseExistsError(`${directory} exists already; nothing was imported.`, {
        hint: 'Move that folder away (it is not a course of this hub), or import under another --course id.',
      });
    const newUsers: string[] = [];
    for (const student of book.students)
      if (!withoutUser.has(student.id) && !(await this.stores.users.findByName(student.id)))
        newUsers.push(student.id);
    if (options.dryRun) return report({ newUsers });

    const group = this.unixGroups ? await ensureCourseGroup(course) : undefined;
    const staged = await stageBeside(directory, 'import');
    let placed = false;
    try {
      await prepareCourseFolder(staged.path, group);
      for (const name of [...COURSE_STEP_FOLDERS, NBGRADER_CONFIG_FILE])
        if (await pathExists(join(source, name))) await copyTree(join(source, name), join(staged.path, name));
      await this.stores.transaction(async (trx) => {
        await trx.courses.insert({ name: course, title: course, directory, unixGroup: group?.name ?? null });
        const gradebookCourse = await trx.gradebook.courses.ensureCourse(course);
        if (!(await trx.gradebook.transfer.isEmpty(gradebookCourse)))
          throw new CourseExistsError(
            `The gradebook of ${course} holds grades already; nothing was imported.`,
            {
              hint: 'Import under another --course id.',
            },
          );
        await trx.gradebook.transfer.write(gradebookCourse, gradebook);
        const hubCourse = (await trx.courses.findByName(course))!;
        for (const student of book.students) {
          if (withoutUser.has(student.id)) continue;
          const user =
            (await trx.users.findByName(student.id)) ??
            (await trx.users.insert({
              name: student.id,
              firstName: student.firstName,
              lastName: student.lastName,
              email: student.email,
            }));
          if (!(await trx.courses.roleOf(hubCourse.id, user.id)))
            await trx.courses.setRole(hubCourse.id, user.id, 'student');
        }
        // Last: once the folder is in place only the commit is left to fail (undone below).
        await staged.commit();
        placed = true;
      });
    } catch (error) {
      if (placed) await rm(directory, { recursive: true, force: true });
      else await staged.discard();
      throw error;
    }
    return report({ newUsers });
  }

  /** Why the student id cannot be a hub user's name, or undefined when it can. */
  private async userProblem(id: string): Promise<string | undefined> {
    if (normalizeUsername(id) !== id) return `"${id}" is not in the hub's form (lowercase, no spaces around)`;
    return usernameProblem(id) ?? (await this.options.accountCheck?.(id));
  }
}

/** The gradebook belongs to --course: nbgrader_config.py's course_id and the assignments' must agree. */
async function checkCourseOfGradebook(
  source: string,
  course: string,
  gradebookCourses: string[],
): Promise<void> {
  const config = await readNbgraderConfigFile(join(source, NBGRADER_CONFIG_FILE));
  const configured = config.assignments.get('CourseDirectory.course_id')?.value;
  if (typeof configured === 'string' && configured !== '' && configured !== course)
    throw new NbgraderGradebookError(
      `${join(source, NBGRADER_CONFIG_FILE)} is for the course ${configured}, not ${course}; nothing was imported.`,
      { hint: `Give --course ${configured}, or the course directory of ${course}.` },
    );
  if (gradebookCourses.length > 1)
    throw new NbgraderGradebookError(
      `The gradebook holds assignments of several courses (${gradebookCourses.join(', ')}); nothing was imported.`,
      { hint: 'coursehub imports one course at a time, as nbgrader keeps one course per gradebook.' },
    );
  const owner = gradebookCourses[0];
  // nbgrader files a course without CourseDirectory.course_id under "default_course".
  const unnamed = owner === 'default_course' && (configured === undefined || configured === '');
  if (owner !== undefined && owner !== course && !unnamed)
    throw new NbgraderGradebookError(
      `${join(source, NBGRADER_GRADEBOOK_FILE)} is the gradebook of the course ${owner}, not ${course}; nothing was imported.`,
      { hint: `Give --course ${owner}, or the gradebook of ${course}.` },
    );
}

/** What a second run compares: the data, with null sources as coursehub stores them (empty). */
function comparable(book: NbgraderGradebook): NbgraderGradebook {
  return {
    ...book,
    assignments: book.assignments.map((a) => ({
      ...a,
      notebooks: a.notebooks.map((n) => ({
        ...n,
        sourceCells: n.sourceCells.map((c) => ({ ...c, source: c.source ?? '' })),
      })),
    })),
  };
}

async function pathExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false, // absent (or unreadable: the copy below says which)
  );
}

async function countFiles(source: string): Promise<number> {
  let count = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(folder, entry.name));
      else count++;
    }
  };
  for (const step of COURSE_STEP_FOLDERS)
    if (await pathExists(join(source, step))) await walk(join(source, step));
  if (await pathExists(join(source, NBGRADER_CONFIG_FILE))) count++;
  return count;
}
