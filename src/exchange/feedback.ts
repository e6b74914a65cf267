/**
 * release_feedback and fetch_feedback. Releasing copies the HTML pages generate_feedback wrote in
 * feedback/STUDENT/ASSIGNMENT/ (nbgrader releases the *.html files only) into the exchange's area,
 * recorded for that student alone, under the time stamp of the submission they grade
 * (timestamp.txt). Fetching writes a student's released feedback to
 * COURSE_ID/ASSIGNMENT/feedback/TIMESTAMP/ in their home, as nbgrader's fetch_feedback does.
 */
import { readdir } from 'node:fs/promises';
import { CourseDirectory } from '../course/course-directory.js';
import { checkFolderName } from './courses/course-names.js';
import { CourseNotFoundError } from './errors.js';
import { ANY_ROLE, courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { readFolderFiles } from './folder-files.js';
import { hubTimestamp, snapshotChecksum, timestampFolderName } from './receipt.js';

export interface ReleaseFeedbackResult {
  released: { student: string; timestamp: string; files: string[] }[];
  unchanged: string[];
  skipped: { student: string; reason: string }[];
}

export async function releaseFeedback(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
  options: { student?: string } = {},
): Promise<ReleaseFeedbackResult> {
  const course = await courseFor(context, courseId, actor, GRADING_ROLES);
  checkFolderName('assignment', assignment);
  const directory = new CourseDirectory(course.directory);
  const students =
    options.student !== undefined
      ? [checkFolderName('student', options.student)]
      : await studentsWithFeedback(directory, assignment);
  const result: ReleaseFeedbackResult = { released: [], unchanged: [], skipped: [] };
  for (const student of students) {
    const folder = directory.feedback(student, assignment);
    const all = await readFolderFiles(folder, {
      label: `feedback/${student}/${assignment}`,
      limits: context.limits,
    });
    const pages = all.filter((file) => !file.path.includes('/') && file.path.endsWith('.html'));
    const stampFile = all.find((file) => file.path === 'timestamp.txt');
    if (pages.length === 0 || !stampFile) {
      result.skipped.push({
        student,
        reason: pages.length === 0 ? 'no feedback generated' : 'its feedback has no timestamp.txt',
      });
      continue;
    }
    const timestamp = stampFile.data.toString('utf8').trim();
    const checksum = snapshotChecksum(pages);
    const earlier = await context.stores.exchange.feedback(course.id, { assignment, student });
    const same = earlier.find((row) => row.timestamp === timestamp);
    if (same?.checksum === checksum) {
      result.unchanged.push(student);
      continue;
    }
    const relative = `${course.name}/feedback/${student}/${assignment}/${timestampFolderName(timestamp.replace(/ UTC$/, ''))}-${checksum.slice(0, 12)}`;
    await context.area.put(relative, pages);
    await context.checkpoint('feedback:copied');
    await context.stores.transaction(async (trx) => {
      if (same) await trx.exchange.deleteFeedback(same.id);
      await trx.exchange.insertFeedback({
        courseId: course.id,
        assignment,
        student,
        timestamp,
        folder: relative,
        checksum,
        files: pages.length,
        releasedAt: hubTimestamp(context.now()),
        releasedBy: actor.name,
      });
    });
    if (same) await context.area.remove(same.folder);
    result.released.push({ student, timestamp, files: pages.map((page) => page.path) });
  }
  return result;
}

async function studentsWithFeedback(directory: CourseDirectory, assignment: string): Promise<string[]> {
  const root = directory.feedback('\0', assignment).split('\0')[0]!;
  const names = await readdir(root).catch(() => [] as string[]);
  const students: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const there = await readdir(directory.feedback(name, assignment)).then(
      () => true,
      () => false,
    );
    if (there) students.push(name);
  }
  return students;
}

export interface FetchFeedbackResult {
  folders: { timestamp: string; folder: string; files: string[] }[];
}

export async function fetchFeedback(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<FetchFeedbackResult> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  checkFolderName('assignment', assignment);
  const rows = await context.stores.exchange.feedback(course.id, { assignment, student: actor.name });
  if (rows.length === 0)
    throw new CourseNotFoundError(
      `No feedback was released to you for ${assignment} of ${course.name} yet.`,
      {
        hint: 'Your instructor releases it once your submission is graded.',
      },
    );
  const folders: FetchFeedbackResult['folders'] = [];
  for (const row of rows) {
    const files = await context.area.read(row.folder);
    const folder = `${course.name}/${assignment}/feedback/${row.timestamp}`;
    await context.userFolders(actor.name).unpackFolder(folder, files, { keepExisting: false });
    folders.push({ timestamp: row.timestamp, folder, files: files.map((file) => file.path) });
  }
  return { folders };
}
