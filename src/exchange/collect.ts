/**
 * collect: the latest submission of each student (or of one) copied into the course directory's
 * submitted/STUDENT/ASSIGNMENT/ with nbgrader's timestamp.txt. A submission already collected is
 * skipped; with `update`, one newer than the collected one replaces it (nbgrader's --update).
 * Each copy is built beside its place and renamed in (src/course/staged-folder.ts), so a kill -9
 * leaves the old copy or the new one, and the next collect finishes the job.
 */
import { lstat, readFile } from 'node:fs/promises';
import { dirname, relative, sep } from 'node:path';
import { CourseDirectory } from '../course/course-directory.js';
import { removeStaleStages, stageBeside } from '../course/staged-folder.js';
import type { SubmissionRow } from '../db/stores/exchange.js';
import { ensureCourse, updateOrCreateStudent } from '../gradebook/courses.js';
import { parseUtc } from '../gradebook/timestamps.js';
import { checkFolderName } from './courses/course-names.js';
import { ReleaseRefusedError } from './errors.js';
import { courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { writeFilesDurably } from './folder-files.js';
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
  for (const latest of latestPerStudent(rows)) {
    const target = directory.submitted(latest.student, assignment);
    await refuseLinksOnTheWay(course.directory, dirname(target));
    await removeStaleStages(target, STAGE);
    const existing = await collectedTimestamp(target);
    if (existing !== undefined) {
      const newer = parseUtc(latest.timestamp) > existing;
      if (!options.update || !newer) {
        result.skipped.push({
          student: latest.student,
          timestamp: latest.timestamp,
          reason: options.update
            ? 'no newer submission'
            : 'already collected (use --update to collect a newer one)',
        });
        continue;
      }
    }
    const files = await context.area.read(latest.folder);
    const stamp = {
      path: 'timestamp.txt',
      data: Buffer.from(timestampText(latest.timestamp)),
      executable: false,
    };
    const stage = await stageBeside(target, STAGE);
    try {
      await writeFilesDurably(stage.path, [...files.filter((f) => f.path !== 'timestamp.txt'), stamp]);
      await context.checkpoint('collect:staged');
      await stage.commit();
    } catch (error) {
      await stage.discard();
      throw error;
    }
    await context.stores.gradebook.withTransaction(async (gradebook) =>
      updateOrCreateStudent(gradebook, await ensureCourse(gradebook, course.name), { id: latest.student }),
    );
    result.collected.push({ student: latest.student, timestamp: latest.timestamp });
  }
  return result;
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
    return Number.NEGATIVE_INFINITY;
  }
}

/**
 * The folders from the course root down to `folder` must be real folders: the course directory is
 * writable by its instructors, and the hub, as root, must not follow a link they planted there.
 */
async function refuseLinksOnTheWay(root: string, folder: string): Promise<void> {
  const parts = relative(root, folder).split(sep).filter(Boolean);
  let at = root;
  for (const part of parts) {
    at = `${at}/${part}`;
    const info = await lstat(at).catch(() => undefined);
    if (info && !info.isDirectory())
      throw new ReleaseRefusedError(
        `${at} is not a folder (a link or a file); nothing was collected there.`,
        {
          hint: 'Remove it; collect makes the folder itself.',
        },
      );
  }
}
