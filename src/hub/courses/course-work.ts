/**
 * An instructor's work on a course, in the hub's one gradebook (the hub's database, keyed by the
 * course): assignments with due dates, generate (source/ -> release/, cells stored), autograde of
 * an assignment and generate_feedback (the existing src/gradebook/ commands, run on the course
 * directory) and the gradebook table (grades.csv is ./gradebook-reports.ts's). Each call checks the actor's role in the course
 * first: instructors everything, graders grading and feedback (never generate or due dates).
 * The exchange (release, collect, release_feedback) is src/exchange/'s; the pages call both.
 */
import { readdir } from 'node:fs/promises';
import { CourseDirectory, generateAssignment, readNbgraderConfigFile } from '../../course/index.js';
import type { CourseStores } from '../../db/stores/course-stores.js';
import type { CourseService, CourseRoleName, HubCourseRow } from '../../exchange/courses/course-service.js';
import { checkFolderName } from '../../exchange/courses/course-names.js';
import type { Actor } from '../../exchange/exchange.js';
import {
  autogradeAssignment,
  type AutogradeProgress,
} from '../../gradebook/autograde/autograde-assignment.js';
import {
  ensureCourse,
  listAssignments,
  listExtensions,
  listStudents,
  removeAssignment,
  removeStudent,
  setExtension,
  updateOrCreateAssignment,
} from '../../gradebook/courses.js';
import { generateFeedback } from '../../gradebook/feedback/generate-feedback.js';
import { loadAssignmentSummary } from '../../gradebook/scores.js';
import { storeGeneratedAssignment } from '../../gradebook/store-generated.js';
import { parseNaiveUtc, formatNaiveUtc } from '../../gradebook/timestamps.js';
import { autogradeSettingsFrom } from '../../grading/autograde/settings.js';
import { usableNbgraderConfig } from '../../grading/config/check-config.js';
import { feedbackSettingsFrom } from '../../grading/feedback/index.js';
import type { KernelLauncher } from '../../grading/execution.js';
import { nbgraderSettings, type NbgraderSettings } from '../../grading/nbgrader-config.js';
import type { PackedFile } from '../../sandbox/folder-archive.js';
import { CoursehubError } from '../../util/errors.js';
import { validateStudentFiles, type NotebookReport } from './validate-student-files.js';

export const INSTRUCTOR: readonly CourseRoleName[] = ['instructor'];
export const GRADERS: readonly CourseRoleName[] = ['instructor', 'grader'];

/** A due date the page was given that is not a date. */
export class DuedateError extends CoursehubError {}

/** An extension that is no length of time, or for someone who is not a student of the assignment's course. */
export class ExtensionError extends CoursehubError {}

/** nbgrader's Extension as the page gives it: minutes, hours and days added to the due date. */
export interface ExtensionLength {
  minutes?: number;
  hours?: number;
  days?: number;
}

/** The longest extension taken: a year (anything longer is a typing mistake). */
const MAX_EXTENSION_SECONDS = 366 * 24 * 3600;

export interface CourseWorkOptions {
  stores: CourseStores;
  courses: CourseService;
  /** Kernels for autograde (and AUTOTEST directives in generate), sandboxed. */
  launcher: () => KernelLauncher;
  /** How many submissions autograde grades at once. */
  concurrency: number;
  /** A user's folder (relative to their home) read with their own rights, as submit reads it. */
  readUserFolder: (user: string, path: string) => Promise<PackedFile[]>;
}

/** One cell of the gradebook table: a student's result for an assignment. */
export interface GradebookCell {
  submitted: boolean;
  score: number;
  maxScore: number;
  needsManualGrade: boolean;
  /** Per notebook: score / max. */
  notebooks: Record<string, { score: number; maxScore: number }>;
}

export interface GradebookTable {
  /** `autograded`: submissions in the gradebook (autograded); `needManualGrade`: of those, still to grade by hand. */
  assignments: {
    name: string;
    duedate: string | null;
    maxScore: number;
    autograded: number;
    needManualGrade: number;
  }[];
  students: { id: string; firstName: string | null; lastName: string | null; email: string | null }[];
  /** cells[student][assignment] */
  cells: Record<string, Record<string, GradebookCell>>;
}

export class CourseWork {
  constructor(private readonly options: CourseWorkOptions) {}

  /** The course, if the actor has one of `roles` in it (an admin has every role). */
  async courseFor(courseId: string, actor: Actor, roles: readonly CourseRoleName[]): Promise<HubCourseRow> {
    if (actor.admin) return this.options.courses.require(courseId);
    return this.options.courses.requireRole(courseId, actor.name, roles);
  }

  private async gradebookId(course: HubCourseRow): Promise<number> {
    return ensureCourse(this.options.stores.gradebook, course.name);
  }

  private async settings(course: HubCourseRow): Promise<NbgraderSettings> {
    const config = await readNbgraderConfigFile(new CourseDirectory(course.directory).configFile);
    usableNbgraderConfig(config);
    return nbgraderSettings(config);
  }

  /**
   * Adds an assignment (or changes its due date): `duedate` as the page sends it, '' for none, or
   * undefined to keep the one it has (`db assignment add A` without --duedate, as nbgrader).
   */
  async addAssignment(
    courseId: string,
    name: string,
    duedate: string | undefined,
    actor: Actor,
  ): Promise<{ name: string; duedate: string | null }> {
    const course = await this.courseFor(courseId, actor, INSTRUCTOR);
    // The hub's rule for ids that name folders (stricter than the gradebook's: no control characters).
    checkFolderName('assignment', name);
    let due: string | null = null;
    if (duedate !== undefined && duedate.trim() !== '') {
      const text = duedate.trim().replace('T', ' ');
      try {
        due = formatNaiveUtc(parseNaiveUtc(text.length === 16 ? `${text}:00` : text));
      } catch (error) {
        throw new DuedateError(`${JSON.stringify(duedate)} is not a due date.`, {
          hint: 'Give it as YYYY-MM-DD HH:MM (UTC).',
          cause: error,
        });
      }
    }
    const store = this.options.stores.gradebook;
    const gradebookId = await this.gradebookId(course);
    await updateOrCreateAssignment(store, gradebookId, name, duedate === undefined ? {} : { duedate: due });
    const saved = (await listAssignments(store, gradebookId)).find((a) => a.name === name);
    return { name, duedate: saved?.duedate ?? null };
  }

  /**
   * `db assignment remove`: the assignment leaves the gradebook; as nbgrader, refused while it has
   * graded submissions unless `force` (which deletes those grades). Instructors only.
   */
  async removeAssignment(courseId: string, name: string, force: boolean, actor: Actor): Promise<void> {
    const course = await this.courseFor(courseId, actor, INSTRUCTOR);
    await removeAssignment(this.options.stores.gradebook, await this.gradebookId(course), name, { force });
  }

  /**
   * `db student remove`: the student leaves the gradebook and the course; as nbgrader, refused
   * while they have graded submissions unless `force` (which deletes those grades). The course's
   * instructors and graders are not students: refused. Instructors only.
   */
  async removeStudent(courseId: string, student: string, force: boolean, actor: Actor): Promise<void> {
    const course = await this.courseFor(courseId, actor, INSTRUCTOR);
    const role = await this.options.courses.roleOf(course.name, student);
    if (role !== undefined && role !== 'student')
      throw new CoursehubError(
        `${student} is ${role === 'instructor' ? 'an instructor' : 'a grader'} of ${course.name}, not a student.`,
        {
          hint: 'An admin changes the roles of the course staff.',
        },
      );
    await removeStudent(this.options.stores.gradebook, await this.gradebookId(course), student, { force });
    await this.options.courses.unenroll(course.name, student);
  }

  /** The gradebook's assignments with their due dates (instructors, graders). */
  async assignments(courseId: string, actor: Actor) {
    const course = await this.courseFor(courseId, actor, GRADERS);
    return listAssignments(this.options.stores.gradebook, await this.gradebookId(course));
  }

  /**
   * Gives a student more time on an assignment (nbgrader's Extension: minutes + hours + days added
   * to the due date for that student alone); all zero removes it. The late flag and the late
   * penalty of autograde count from the extended date. Instructors only.
   */
  async setExtension(
    courseId: string,
    assignment: string,
    student: string,
    length: ExtensionLength,
    actor: Actor,
  ): Promise<{ assignment: string; student: string; seconds: number }> {
    const course = await this.courseFor(courseId, actor, INSTRUCTOR);
    const parts: [keyof ExtensionLength, number][] = [
      ['minutes', 60],
      ['hours', 3600],
      ['days', 86400],
    ];
    let seconds = 0;
    for (const [unit, factor] of parts) {
      const value = length[unit] ?? 0;
      if (!Number.isFinite(value) || value < 0)
        throw new ExtensionError(`${JSON.stringify(String(value))} ${unit} is not a length of time.`, {
          hint: 'Give minutes, hours and days as numbers of 0 or more (all 0 removes the extension).',
        });
      seconds += value * factor;
    }
    seconds = Math.round(seconds);
    if (seconds > MAX_EXTENSION_SECONDS)
      throw new ExtensionError(`An extension of ${seconds} seconds is longer than a year.`, {
        hint: 'Change the due date of the assignment instead.',
      });
    const store = this.options.stores.gradebook;
    const gradebookId = await this.gradebookId(course);
    if (!(await listAssignments(store, gradebookId)).some((a) => a.name === assignment))
      throw new ExtensionError(
        `${course.name} has no assignment ${JSON.stringify(assignment)} in its gradebook.`,
        {
          hint: 'Add the assignment (with its due date) first.',
        },
      );
    if (!(await listStudents(store, gradebookId)).some((s) => s.id === student))
      throw new ExtensionError(`${JSON.stringify(student)} is not a student of ${course.name}.`, {
        hint: 'Pick a student from the course list.',
      });
    await setExtension(store, gradebookId, assignment, student, seconds);
    return { assignment, student, seconds };
  }

  /** The course's extensions: assignment, student, seconds (instructors, graders). */
  async extensions(courseId: string, actor: Actor) {
    const course = await this.courseFor(courseId, actor, GRADERS);
    return listExtensions(this.options.stores.gradebook, await this.gradebookId(course));
  }

  /** The gradebook's students (instructors, graders). */
  async students(courseId: string, actor: Actor) {
    const course = await this.courseFor(courseId, actor, GRADERS);
    return listStudents(this.options.stores.gradebook, await this.gradebookId(course));
  }

  /** generate_assignment --force: release/ASSIGNMENT/ and its cells in the gradebook, together. */
  async generate(
    courseId: string,
    assignment: string,
    actor: Actor,
  ): Promise<{ notebooks: string[]; files: string[] }> {
    const course = await this.courseFor(courseId, actor, INSTRUCTOR);
    checkFolderName('assignment', assignment);
    const gradebook = this.options.stores.gradebook;
    const gradebookId = await this.gradebookId(course);
    const result = await generateAssignment({
      courseDir: course.directory,
      assignment,
      settings: await this.settings(course),
      force: true,
      saveCells: true,
      checkMetadata: true,
      launcher: this.options.launcher(),
      async publish(record, commit) {
        if (!record) return commit();
        await gradebook.withTransaction(async (tx) => {
          await storeGeneratedAssignment(tx, gradebookId, record);
          await commit();
        });
      },
    });
    return { notebooks: result.notebooks, files: result.files };
  }

  /**
   * autograde of the collected submissions (every student's, or `students`), reporting progress;
   * `force` (the page's default) grades again what autograded/ holds already.
   */
  async autograde(
    courseId: string,
    assignment: string,
    actor: Actor,
    onProgress: (progress: AutogradeProgress) => void,
    options: { students?: string[]; force?: boolean } = {},
  ) {
    const course = await this.courseFor(courseId, actor, GRADERS);
    return autogradeAssignment({
      store: this.options.stores.gradebook,
      courseId: await this.gradebookId(course),
      courseDir: course.directory,
      assignment,
      students: options.students,
      force: options.force ?? true,
      settings: autogradeSettingsFrom(await this.settings(course)),
      launcher: this.options.launcher(),
      concurrency: this.options.concurrency,
      log: () => undefined,
      onProgress,
    });
  }

  /** generate_feedback of every autograded submission (or `students`'), --force unless told. */
  async generateFeedback(
    courseId: string,
    assignment: string,
    actor: Actor,
    options: { students?: string[]; force?: boolean } = {},
  ) {
    const course = await this.courseFor(courseId, actor, GRADERS);
    return generateFeedback({
      store: this.options.stores.gradebook,
      courseId: await this.gradebookId(course),
      courseDir: course.directory,
      assignment,
      students: options.students,
      force: options.force ?? true,
      settings: feedbackSettingsFrom(await this.settings(course)),
      log: () => undefined,
    });
  }

  /** The gradebook: students x assignments, with totals and per notebook. */
  async gradebook(courseId: string, actor: Actor): Promise<GradebookTable> {
    const course = await this.courseFor(courseId, actor, GRADERS);
    const store = this.options.stores.gradebook;
    const id = await this.gradebookId(course);
    const students = await listStudents(store, id);
    const table: GradebookTable = { assignments: [], students, cells: {} };
    for (const student of students) table.cells[student.id] = {};
    for (const assignment of await listAssignments(store, id)) {
      const summary = await loadAssignmentSummary(store, id, assignment.name);
      let needManualGrade = 0;
      for (const submission of summary.submissions) {
        const notebooks = Object.fromEntries(
          Object.entries(submission.notebooks).map(([name, nb]) => [
            name,
            { score: nb.score, maxScore: nb.maxScore },
          ]),
        );
        if (submission.needsManualGrade) needManualGrade += 1;
        (table.cells[submission.studentId] ??= {})[assignment.name] = {
          submitted: true,
          score: submission.scoreAfterPenalty,
          maxScore: summary.maxScore,
          needsManualGrade: submission.needsManualGrade,
          notebooks,
        };
      }
      table.assignments.push({
        name: assignment.name,
        duedate: assignment.duedate,
        maxScore: summary.maxScore,
        autograded: summary.submissions.length,
        needManualGrade,
      });
    }
    return table;
  }

  /** The assignments that have a folder in source/ (what can be generated). */
  async sourceAssignments(courseId: string, actor: Actor): Promise<string[]> {
    const course = await this.courseFor(courseId, actor, GRADERS);
    const entries = await readdir(new CourseDirectory(course.directory).source('\0').split('\0')[0]!, {
      withFileTypes: true,
    }).catch(() => []);
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  }

  /** nbgrader validate on the actor's own COURSE_ID/ASSIGNMENT/ (any role), in the sandbox. */
  async validate(courseId: string, assignment: string, actor: Actor): Promise<NotebookReport[]> {
    const course = await this.courseFor(courseId, actor, ['instructor', 'grader', 'student']);
    checkFolderName('assignment', assignment);
    const folder = `${course.name}/${assignment}`;
    const files = await this.options.readUserFolder(actor.name, folder);
    return validateStudentFiles(files, folder, await this.settings(course), this.options.launcher());
  }
}
