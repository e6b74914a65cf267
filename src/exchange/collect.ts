/**
 * collect: the latest submission of each student (or of one) copied into the course directory's
 * submitted/STUDENT/ASSIGNMENT/ with nbgrader's timestamp.txt. A submission already collected is
 * skipped; with `update`, one newer than the collected one replaces it (nbgrader's --update).
 * Each copy is built beside its place and renamed in (as src/course/staged-folder.ts does), so a
 * kill -9 leaves the old copy or the new one, and the next collect finishes the job. The file work
 * of the whole class runs in worker threads (./collect-files.ts), the files hard-linked from the
 * exchange's immutable copies (copied in the kernel when the course directory is on another file
 * system), synced once or twice for the whole class.
 */
import { join } from 'node:path';
import { CourseDirectory } from '../course/course-directory.js';
import type { SubmissionRow } from '../db/stores/exchange.js';
import { ensureCourse, ensureStudents } from '../gradebook/courses.js';
import { parseUtc } from '../gradebook/timestamps.js';
import { CollectFiles, type CopyJob, type Inspection } from './collect-files.js';
import { checkFolderName } from './courses/course-names.js';
import { courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { GroupSync } from './group-sync.js';
import { timestampText } from './receipt.js';

export interface CollectResult {
  collected: { student: string; timestamp: string }[];
  skipped: { student: string; timestamp: string; reason: string }[];
}

const STAGE = 'collecting';

export async function collectSubmissions(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
  options: { student?: string; update?: boolean } = {},
): Promise<CollectResult> {
  const course = await courseFor(context, courseId, actor, GRADING_ROLES);
  checkFolderName('assignment', assignment);
  if (options.student !== undefined) checkFolderName('student', options.student);
  const rows = await context.stores.exchange.submissions(course.id, {
    assignment,
    ...(options.student !== undefined ? { student: options.student } : {}),
  });
  const result: CollectResult = { collected: [], skipped: [] };
  const latest = latestPerStudent(rows);
  // nbgrader's collect adds each student to the gradebook; every time, so that a run killed
  // before it is made whole by the next one (which skips the copies it finds). Both steps can be
  // repeated, so they run side by side.
  const enrolled = context.stores.gradebook.withTransaction(async (gradebook) => {
    const gradebookCourse = await ensureCourse(gradebook, course.name);
    await ensureStudents(
      gradebook,
      gradebookCourse,
      latest.map((submission) => submission.student),
    );
  });
  const copied =
    latest.length > 0
      ? collectLatest(context, course.directory, assignment, latest, options, result)
      : undefined;
  await Promise.all([enrolled, copied]);
  return result;
}

/** Copies the chosen submissions of `latest` into the course directory; fills in `result`. */
async function collectLatest(
  context: ExchangeContext,
  courseRoot: string,
  assignment: string,
  latest: readonly SubmissionRow[],
  options: { update?: boolean },
  result: CollectResult,
): Promise<void> {
  const directory = new CourseDirectory(courseRoot);
  const files = new CollectFiles(courseRoot, STAGE, latest.length);
  try {
    const targets = latest.map((submission) => directory.submitted(submission.student, assignment));
    const found = await files.inspect(targets);
    const jobs: CopyJob[] = [];
    const chosen: SubmissionRow[] = [];
    latest.forEach((submission, i) => {
      const skip = skipReason(submission, found[i]!, options);
      if (skip !== undefined)
        result.skipped.push({ student: submission.student, timestamp: submission.timestamp, reason: skip });
      else {
        chosen.push(submission);
        jobs.push({
          source: join(context.area.root, submission.folder),
          target: targets[i]!,
          sourceLabel: submission.folder,
          stamp: {
            name: 'timestamp.txt',
            text: timestampText(submission.timestamp),
            stored: context.area.stampPath(submission.folder),
          },
        });
      }
    });
    // Every copy is staged first; then one sync of the course directory's file system puts them
    // all on disk, they are renamed into place, and one more sync makes the renames durable: two
    // syncs for the whole class instead of two per student. Copies made of hard links and folders
    // only (the area on the course directory's file system, submissions stored with their
    // timestamp.txt beside them) are metadata, which a journaling file system (ext4, xfs) commits
    // in the order it was made, so a renamed-in copy is never without its links even after a
    // crash: the first sync is needed only when file data was written.
    if (jobs.length > 0) {
      const { stages, wroteData } = await files.stage(jobs);
      const courseSync = new GroupSync(courseRoot);
      try {
        if (wroteData) await courseSync.sync(); // the copies on disk before they are renamed in
        await context.checkpoint('collect:staged');
      } catch (error) {
        await files.discard(stages);
        throw error;
      }
      await files.commit(stages.map((stage, i) => ({ stage, target: jobs[i]!.target })));
      await courseSync.sync();
    }
    for (const submission of chosen)
      result.collected.push({ student: submission.student, timestamp: submission.timestamp });
  } finally {
    await files.close();
  }
}

/** Why the student's latest submission is not collected, or undefined when it is. */
function skipReason(
  latest: SubmissionRow,
  found: Inspection,
  options: { update?: boolean },
): string | undefined {
  if (!found.targetThere) return undefined;
  // A copy without a readable time stamp is older than any submission.
  const collected = collectedTimestamp(found.timestampText);
  const newer = parseUtc(latest.timestamp) > collected;
  if (options.update && newer) return undefined;
  return options.update ? 'no newer submission' : 'already collected (use --update to collect a newer one)';
}

/** The newest submission of each student, in student order. */
function latestPerStudent(rows: readonly SubmissionRow[]): SubmissionRow[] {
  const latest = new Map<string, SubmissionRow>();
  for (const row of rows) {
    const seen = latest.get(row.student);
    if (!seen || row.timestamp > seen.timestamp || (row.timestamp === seen.timestamp && row.id > seen.id))
      latest.set(row.student, row);
  }
  return [...latest.values()].sort((a, b) => (a.student < b.student ? -1 : 1));
}

/** A collected copy's timestamp.txt as UTC microseconds; -Infinity when missing or unreadable. */
function collectedTimestamp(text: string | undefined): number {
  if (text === undefined) return Number.NEGATIVE_INFINITY;
  try {
    return parseUtc(text.trim());
  } catch {
    return Number.NEGATIVE_INFINITY;
  }
}
