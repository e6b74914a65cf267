/**
 * collect: the latest submission of each student (or of one) copied into the course directory's
 * submitted/STUDENT/ASSIGNMENT/ with nbgrader's timestamp.txt. A submission already collected is
 * skipped; with `update`, one newer than the collected one replaces it (nbgrader's --update).
 * Each copy is built beside its place and renamed in (src/course/staged-folder.ts), so a kill -9
 * leaves the old copy or the new one, and the next collect finishes the job. The files are copied
 * in the kernel (copy_file_range), not read through JS, and synced once for the whole class.
 */
import { lstat, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { CourseDirectory } from '../course/course-directory.js';
import { removeStaleStages, stageBeside, type StagedFolder } from '../course/staged-folder.js';
import type { SubmissionRow } from '../db/stores/exchange.js';
import { ensureCourse, updateOrCreateStudent } from '../gradebook/courses.js';
import { parseUtc } from '../gradebook/timestamps.js';
import { checkFolderName } from './courses/course-names.js';
import { ReleaseRefusedError } from './errors.js';
import { courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { copyFolderUnsynced, writeFilesUnsynced } from './folder-files.js';
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
  const directory = new CourseDirectory(course.directory);
  const rows = await context.stores.exchange.submissions(course.id, {
    assignment,
    ...(options.student !== undefined ? { student: options.student } : {}),
  });
  const result: CollectResult = { collected: [], skipped: [] };
  const latest = latestPerStudent(rows);
  // Every copy is staged first, a few students at a time; then one sync of the course directory's
  // file system puts them all on disk, each is renamed into place, and one more sync makes the
  // renames durable: two syncs for the whole class instead of two per student.
  const outcomes = new Map<string, Outcome>();
  const staged: { stage: StagedFolder; outcome: CollectResult['collected'][number] }[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(COLLECT_CONCURRENCY, latest.length) }, async () => {
        while (next < latest.length) {
          const submission = latest[next++]!;
          const outcome = await stageOne(
            context,
            directory,
            course.directory,
            assignment,
            submission,
            options,
          );
          if ('stage' in outcome) staged.push(outcome);
          else outcomes.set(submission.student, outcome);
        }
      }),
    );
    const courseSync = new GroupSync(course.directory);
    if (staged.length > 0) await courseSync.sync(); // the copies on disk before they are renamed into place
    while (staged.length > 0) {
      const { stage, outcome } = staged[0]!;
      await context.checkpoint('collect:staged');
      await stage.commit();
      staged.shift();
      outcomes.set(outcome.student, outcome);
    }
    await courseSync.sync();
  } catch (error) {
    await Promise.all(staged.map(({ stage }) => stage.discard()));
    throw error;
  }
  for (const submission of latest) {
    const outcome = outcomes.get(submission.student)!;
    if ('reason' in outcome) result.skipped.push(outcome);
    else result.collected.push(outcome);
  }
  // nbgrader's collect adds each student to the gradebook; every time, so that a run killed
  // before this point is made whole by the next one (which skips the copies it finds).
  await context.stores.gradebook.withTransaction(async (gradebook) => {
    const gradebookCourse = await ensureCourse(gradebook, course.name);
    for (const submission of latest)
      await updateOrCreateStudent(gradebook, gradebookCourse, { id: submission.student });
  });
  return result;
}

/** Students staged at once: file work that waits on libuv's thread pool, not on the disk. */
const COLLECT_CONCURRENCY = 16;

type Outcome = CollectResult['collected'][number] | CollectResult['skipped'][number];

/** The student's latest submission copied beside its place (not synced), or why it is skipped. */
async function stageOne(
  context: ExchangeContext,
  directory: CourseDirectory,
  courseRoot: string,
  assignment: string,
  latest: SubmissionRow,
  options: { update?: boolean },
): Promise<
  CollectResult['skipped'][number] | { stage: StagedFolder; outcome: CollectResult['collected'][number] }
> {
  const target = directory.submitted(latest.student, assignment);
  // A student collected for the first time has no folder yet: nothing to clean up or compare.
  const parentThere = await refuseLinksOnTheWay(courseRoot, dirname(target));
  if (parentThere) await removeStaleStages(target, STAGE);
  const existing = parentThere ? await collectedTimestamp(target) : undefined;
  if (existing !== undefined) {
    const newer = parseUtc(latest.timestamp) > existing;
    if (!options.update || !newer)
      return {
        student: latest.student,
        timestamp: latest.timestamp,
        reason: options.update
          ? 'no newer submission'
          : 'already collected (use --update to collect a newer one)',
      };
  }
  const stage = await stageBeside(target, STAGE);
  try {
    await copyFolderUnsynced(join(context.area.root, latest.folder), stage.path, {
      label: latest.folder,
      skip: ['timestamp.txt'],
    });
    await writeFilesUnsynced(stage.path, [
      { path: 'timestamp.txt', data: Buffer.from(timestampText(latest.timestamp)), executable: false },
    ]);
  } catch (error) {
    await stage.discard();
    throw error;
  }
  return { stage, outcome: { student: latest.student, timestamp: latest.timestamp } };
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

/** The collected copy's timestamp.txt as UTC microseconds; undefined when nothing was collected. */
async function collectedTimestamp(target: string): Promise<number | undefined> {
  const text = await readFile(`${target}/timestamp.txt`, 'utf8').catch(() => undefined);
  if (text === undefined) {
    const there = await lstat(target).catch(() => undefined);
    return there ? Number.NEGATIVE_INFINITY : undefined; // a copy without a time stamp is older than any
  }
  try {
    return parseUtc(text.trim());
  } catch {
    return Number.NEGATIVE_INFINITY; // an unreadable time stamp: any submission is newer
  }
}

/**
 * The folders from the course root down to `folder` must be real folders: the course directory is
 * writable by its instructors, and the hub, as root, must not follow a link they planted there.
 * Resolves whether `folder` is there.
 */
async function refuseLinksOnTheWay(root: string, folder: string): Promise<boolean> {
  const parts = relative(root, folder).split(sep).filter(Boolean);
  let at = root;
  for (const part of parts) {
    at = `${at}/${part}`;
    const info = await lstat(at).catch(() => undefined);
    if (!info) return false; // nor anything below it
    if (!info.isDirectory())
      throw new ReleaseRefusedError(
        `${at} is not a folder (a link or a file); nothing was collected there.`,
        {
          hint: 'Remove it; collect makes the folder itself.',
        },
      );
  }
  return true;
}
