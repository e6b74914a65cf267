/**
 * `autograde ASSIGNMENT` over an nbgrader course directory: every submission graded in its own
 * fresh kernel(s), several students at once, results stored one transaction per submission.
 *
 * Results are committed in student-id order (each waits for the one before it) although grading
 * runs in parallel. That keeps nbgrader's one abort rule reproducible: a submission whose metadata
 * has the wrong schema version (e.g. a duplicated cell, `duplicated-cell-aborts-run`) stops the
 * run, and nbgrader, which goes in id order, never grades the students after it. We keep that
 * outcome; every other failure (bad JSON, partial credit above the maximum, a dead kernel, ...)
 * fails only its own submission.
 */
import { availableParallelism } from 'node:os';
import type { GradebookStore } from '../../db/stores/gradebook.js';
import type { KernelLauncher } from '../../grading/execution.js';
import { DuplicatedCellError, type AutogradeSettings } from '../../grading/autograde/index.js';
import { latePenaltyMethod } from '../../grading/late-penalty/index.js';
import { SchemaTooNewError, SchemaTooOldError } from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';
import { requireAssignment } from '../courses.js';
import { loadAssignmentSummary } from '../scores.js';
import { loadSourceNotebooks } from '../source-notebooks.js';
import { recordSubmissionResult } from '../submissions.js';
import { formatNaiveUtc, parseNaiveUtc, parseUtc } from '../timestamps.js';
import {
  CourseDirectory,
  gradeSubmission,
  pathExists,
  readTimestampFile,
  removeStalePartials,
  type GradedSubmission,
} from '../../course/index.js';

export class AutogradeSetupError extends CoursehubError {}

export type StudentStatus = 'graded' | 'failed' | 'skipped' | 'not-run';

export interface StudentOutcome {
  student: string;
  status: StudentStatus;
  score: number | null;
  maxScore: number | null;
  seconds: number;
  message?: string;
}

export interface AutogradeProgress {
  done: number;
  total: number;
  failed: number;
  elapsedMs: number;
}

export interface AutogradeRunOptions {
  store: GradebookStore;
  courseId: number;
  courseDir: string;
  assignment: string;
  /** Only these students (default: everyone with a submission). */
  students?: string[];
  force: boolean;
  settings: AutogradeSettings;
  /** null for --no-execute. */
  launcher: KernelLauncher | null;
  concurrency?: number;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
  onProgress?: (progress: AutogradeProgress) => void;
}

export interface AutogradeRunResult {
  outcomes: StudentOutcome[];
  /** True when a schema-version error stopped the run (see the module comment). */
  aborted: boolean;
  isolation: string | null;
}

const describe = (error: unknown) =>
  error instanceof CoursehubError ? error.describe() : error instanceof Error ? error.message : String(error);

/** A graded submission and its submission time, as the gradebook stores it. */
type GradedWithTime = GradedSubmission & { timestamp: string | null };

async function shouldProcess(
  options: AutogradeRunOptions,
  course: CourseDirectory,
  student: string,
  timestamp: string | null,
) {
  const finalDir = course.autograded(student, options.assignment);
  if (!(await pathExists(finalDir)) || options.force) return true;
  // Without --force, a submission newer than the autograded copy is graded again (as nbgrader).
  const old = await readTimestampFile(finalDir);
  if (timestamp !== null && old !== null) {
    try {
      if (parseNaiveUtc(timestamp) > parseUtc(old)) return true;
    } catch {
      // An unreadable old timestamp: keep the existing result (the skip is logged below).
    }
  }
  options.log('info', `Skipping existing assignment: ${finalDir}`);
  return false;
}

/** A schema-version problem (or a duplicated cell, which nbgrader reports as one) stops the run. */
function abortsRun(error: unknown): boolean {
  return (
    error instanceof SchemaTooOldError ||
    error instanceof SchemaTooNewError ||
    error instanceof DuplicatedCellError
  );
}

export async function autogradeAssignment(options: AutogradeRunOptions): Promise<AutogradeRunResult> {
  const started = Date.now();
  const course = new CourseDirectory(options.courseDir, options.settings.courseDirectory);
  // Refused before anything is built or recorded (an unknown name is a setting to fix).
  const latePenalty = latePenaltyMethod(options.settings.penaltyMethod);
  await requireAssignment(options.store, options.courseId, options.assignment);
  const sourceNotebooks = await loadSourceNotebooks(options.store, options.courseId, options.assignment);
  if (sourceNotebooks.length === 0) {
    throw new AutogradeSetupError(`Assignment '${options.assignment}' has no notebooks in the gradebook.`, {
      hint: `Run \`coursehub nbgrader generate_assignment ${options.assignment}\` first.`,
    });
  }
  const submitted = await course.submittedStudents(options.assignment);
  const students = options.students
    ? options.students.filter((s) => {
        if (submitted.includes(s)) return true;
        options.log('warning', `No submission of '${options.assignment}' from student '${s}'.`);
        return false;
      })
    : submitted;

  const outcomes: StudentOutcome[] = students.map((student) => ({
    student,
    status: 'not-run',
    score: null,
    maxScore: null,
    seconds: 0,
  }));
  const result: AutogradeRunResult = { outcomes, aborted: false, isolation: null };
  let done = 0;
  let failed = 0;
  const report = () =>
    options.onProgress?.({ done, total: students.length, failed, elapsedMs: Date.now() - started });
  report();

  const graded: Array<Promise<GradedWithTime | 'skip'>> = [];
  let next = 0;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const startNext = (): void => {
    const index = next++;
    if (index >= students.length) return;
    const student = students[index]!;
    graded[index] = (async (): Promise<GradedWithTime | 'skip'> => {
      if (result.aborted) return 'skip' as const;
      await removeStalePartials(course, student, options.assignment);
      const job = {
        course,
        assignment: options.assignment,
        student,
        sourceNotebooks,
        settings: options.settings,
        launcher: options.launcher,
        log: (level: 'info' | 'warning' | 'error', message: string) =>
          options.log(level, `[${student}] ${message}`),
      };
      const submittedDir = course.submitted(student, options.assignment);
      const rawTimestamp = await readTimestampFile(submittedDir);
      const timestamp = rawTimestamp === null ? null : safeTimestamp(rawTimestamp);
      if (!(await shouldProcess(options, course, student, timestamp))) return 'skip' as const;
      if (rawTimestamp !== null && timestamp === null)
        job.log('warning', `Invalid timestamp string: ${submittedDir}/timestamp.txt`);
      return { ...(await gradeSubmission(job)), timestamp };
    })().catch(
      // Never let one student's unexpected failure (a full disk, say) reject: it fails that student.
      (error: unknown): GradedWithTime => ({
        stage: null,
        timestamp: null,
        graded: [],
        missing: [],
        isolation: null,
        error,
      }),
    );
    // A finished student frees its slot for the next one.
    void graded[index].finally(startNext);
  };
  for (let i = 0; i < Math.min(concurrency, students.length); i++) startNext();

  // Commit in id order (see the module comment).
  for (const [index, student] of students.entries()) {
    const began = Date.now();
    const outcome = outcomes[index]!;
    while (graded[index] === undefined) await new Promise((r) => setTimeout(r, 20));
    const submission = await graded[index]!;
    outcome.seconds = (Date.now() - began) / 1000;
    if (submission === 'skip') {
      outcome.status = result.aborted ? 'not-run' : 'skipped';
      done++;
      report();
      continue;
    }
    if (result.aborted) {
      await submission.stage?.discard();
      done++;
      report();
      continue;
    }
    result.isolation ??= submission.isolation;
    const finalDir = course.autograded(student, options.assignment);
    const earlierResult = await pathExists(finalDir);
    const record = () =>
      recordSubmissionResult(options.store, options.courseId, {
        assignment: options.assignment,
        studentId: student,
        timestamp: submission.timestamp,
        gradedNotebooks: submission.graded,
        missingNotebooks: submission.missing,
        latePenalty,
      });
    if (submission.error !== undefined) {
      outcome.status = 'failed';
      outcome.message = describe(submission.error);
      failed++;
      options.log('error', `[${student}] autograde failed: ${outcome.message}`);
      // An earlier result and its grades belong together: both are kept, untouched, rather than
      // the folder removed and stale grades left behind. Without one, the submission is recorded
      // as nbgrader records a failed one (its rows, and the notebooks graded before the failure).
      if (earlierResult)
        options.log('warning', `The earlier result ${course.label(finalDir)} and its grades are kept.`);
      else await record();
      if (abortsRun(submission.error)) {
        result.aborted = true;
        options.log(
          'error',
          'The nbgrader metadata of this submission is corrupted; the run stops here (as nbgrader does).',
        );
      }
    } else {
      // The grades are committed first, then the folder moves into place: a grader killed between
      // the two leaves grades whose folder is missing (or older than the submission), which the
      // next run grades again; never a result on disk without its grades, which it would skip.
      await record();
      await submission.stage!.commit();
      outcome.status = 'graded';
    }
    done++;
    report();
  }
  await Promise.allSettled(graded);

  const scores = await loadAssignmentSummary(options.store, options.courseId, options.assignment);
  for (const outcome of outcomes) {
    const score = scores.submissions.find((s) => s.studentId === outcome.student);
    if (score && outcome.status === 'graded') {
      outcome.score = score.scoreAfterPenalty;
      outcome.maxScore = score.maxScore;
    }
  }
  return result;
}

function safeTimestamp(text: string): string | null {
  try {
    return formatNaiveUtc(parseUtc(text));
  } catch {
    return null; // the caller warns "Invalid timestamp string", as nbgrader does
  }
}
