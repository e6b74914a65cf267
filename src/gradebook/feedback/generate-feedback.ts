/**
 * `generate_feedback ASSIGNMENT` over an nbgrader course directory, as nbgrader's GenerateFeedback
 * runs it: every student with an autograded folder of the assignment (or the ones asked for), in
 * student-id order; an existing feedback folder is kept unless --force or the autograded
 * submission is newer; a student whose feedback fails is reported and the others go on. The
 * grades come from one set-based read of the gradebook (every student's scores and comments at
 * once); the files are written by the course layer (src/course/write-feedback.ts).
 */
import type { GradebookStore } from '../../db/stores/gradebook.js';
import type { FeedbackSettings, NotebookGradebookRecord } from '../../grading/feedback/index.js';
import { CoursehubError } from '../../util/errors.js';
import {
  CourseDirectory,
  pathExists,
  readTimestampFile,
  removeFolder,
  writeFeedback,
} from '../../course/index.js';
import { requireAssignment } from '../courses.js';
import { GradebookMissingEntryError } from '../errors.js';
import { loadAssignmentScores, type NotebookScores, type SubmissionScores } from '../scores.js';
import { parseUtc } from '../timestamps.js';

export class FeedbackSetupError extends CoursehubError {}

export type FeedbackStatus = 'generated' | 'skipped' | 'failed';

export interface FeedbackOutcome {
  student: string;
  status: FeedbackStatus;
  /** The files written (relative to the student's feedback folder), when generated. */
  files: string[];
  message?: string;
}

export interface GenerateFeedbackOptions {
  store: GradebookStore;
  courseId: number;
  courseDir: string;
  assignment: string;
  /** Only these students (default: everyone with an autograded submission). */
  students?: string[];
  force: boolean;
  settings: FeedbackSettings;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export interface GenerateFeedbackResult {
  outcomes: FeedbackOutcome[];
}

const describe = (error: unknown) =>
  error instanceof CoursehubError ? error.describe() : error instanceof Error ? error.message : String(error);

/** What GetGrades reads about one submitted notebook, from the gradebook's scores. */
export function notebookGradebookRecord(notebook: NotebookScores): NotebookGradebookRecord {
  return {
    grades: Object.fromEntries(
      Object.entries(notebook.grades).map(([id, g]) => [id, { score: g.score, maxScore: g.maxScore }]),
    ),
    // nbgrader's Comment.comment: the manual comment if set, else the automatic one.
    comments: Object.fromEntries(
      Object.entries(notebook.comments).map(([id, c]) => [id, c.manualComment ?? c.autoComment]),
    ),
    score: notebook.score,
    maxScore: notebook.maxScore,
    latePenalty: notebook.latePenalty,
  };
}

/** nbgrader's init_destination: whether this student's feedback is (re)generated. */
async function shouldProcess(options: GenerateFeedbackOptions, course: CourseDirectory, student: string) {
  const dest = course.feedback(student, options.assignment);
  if (!(await pathExists(dest))) return true;
  if (options.force) {
    options.log('warning', `Removing existing assignment: ${dest}`);
    return true;
  }
  const newer = await readTimestampFile(course.autograded(student, options.assignment));
  const older = await readTimestampFile(dest);
  if (newer !== null && older !== null) {
    try {
      if (parseUtc(newer) > parseUtc(older)) {
        options.log('warning', `Updating existing assignment: ${dest}`);
        return true;
      }
    } catch {
      /* an unreadable timestamp: keep the existing feedback */
    }
  }
  options.log('info', `Skipping existing assignment: ${dest}`);
  return false;
}

/** The students to work on: autograded ones that have notebooks, narrowed to `options.students`. */
async function studentsToProcess(
  options: GenerateFeedbackOptions,
  course: CourseDirectory,
): Promise<string[]> {
  const withNotebooks: string[] = [];
  for (const student of await course.autogradedStudents(options.assignment)) {
    const folder = course.autograded(student, options.assignment);
    if ((await course.notebooks(folder)).length > 0) withNotebooks.push(student);
    else options.log('warning', `No notebooks were matched in '${folder}'`);
  }
  const students = options.students
    ? withNotebooks.filter((s) => options.students!.includes(s))
    : withNotebooks;
  for (const missing of options.students?.filter((s) => !withNotebooks.includes(s)) ?? [])
    options.log('warning', `No autograded submission of '${options.assignment}' from student '${missing}'.`);
  if (students.length === 0) {
    const where = course.autograded(
      options.students?.length === 1 ? options.students[0]! : '*',
      options.assignment,
    );
    throw new FeedbackSetupError(`No notebooks were matched by '${where}'`, {
      hint: `Autograde the assignment first: coursehub nbgrader autograde ${options.assignment}`,
    });
  }
  return students;
}

export async function generateFeedback(options: GenerateFeedbackOptions): Promise<GenerateFeedbackResult> {
  const course = new CourseDirectory(options.courseDir, options.settings.courseDirectory);
  await requireAssignment(options.store, options.courseId, options.assignment);
  const students = await studentsToProcess(options, course);
  const scores = await loadAssignmentScores(options.store, options.courseId, options.assignment);
  const submissions = new Map<string, SubmissionScores>(scores.submissions.map((s) => [s.studentId, s]));

  const outcomes: FeedbackOutcome[] = [];
  for (const student of students) {
    if (!(await shouldProcess(options, course, student))) {
      outcomes.push({ student, status: 'skipped', files: [] });
      continue;
    }
    try {
      const submission = submissions.get(student);
      if (!submission)
        throw new GradebookMissingEntryError(
          `No submission of '${options.assignment}' by '${student}' in the gradebook.`,
          {
            hint: `Autograde it first: coursehub nbgrader autograde ${options.assignment} --student ${student}`,
          },
        );
      const written = await writeFeedback({
        course,
        assignment: options.assignment,
        student,
        settings: options.settings,
        gradebook: (notebook) => {
          const scored = submission.notebooks[notebook];
          return scored ? notebookGradebookRecord(scored) : undefined;
        },
        log: options.log,
      });
      outcomes.push({ student, status: 'generated', files: written.files });
    } catch (error) {
      const message = describe(error);
      options.log(
        'error',
        `There was an error processing assignment: ${course.autograded(student, options.assignment)}`,
      );
      options.log('error', message);
      // As nbgrader: no stale feedback is left that the gradebook no longer agrees with.
      const dest = course.feedback(student, options.assignment);
      if (await pathExists(dest)) {
        options.log('warning', `Removing failed assignment: ${dest}`);
        await removeFolder(dest);
      }
      outcomes.push({ student, status: 'failed', files: [], message });
    }
  }
  for (const failed of outcomes.filter((o) => o.status === 'failed'))
    options.log(
      'error',
      `There was an error processing assignment '${options.assignment}' for student '${failed.student}'`,
    );
  return { outcomes };
}
