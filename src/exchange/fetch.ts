/**
 * fetch_assignment: the current release written to COURSE_ID/ASSIGNMENT/ below the student's home,
 * by the student's own account (as nbgrader with Exchange.path_includes_course = True). A second
 * fetch restores missing files and never overwrites a file that is there (the student's work).
 */
import type { PackedFile } from '../sandbox/folder-archive.js';
import { checkFolderName } from './courses/course-names.js';
import { NotReleasedError } from './errors.js';
import { ANY_ROLE, courseFor, type Actor, type ExchangeContext } from './exchange-context.js';
import { hubTimestamp } from './receipt.js';
import { currentRelease } from './release.js';

export interface FetchResult {
  /** Where it went, relative to the student's home: `COURSE/ASSIGNMENT`. */
  folder: string;
  version: number;
  /** Files written now. */
  written: string[];
  /** Files that were there already and were left as they were. */
  kept: string[];
}

export async function fetchAssignment(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<FetchResult> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  checkFolderName('assignment', assignment);
  const release = await currentRelease(context, course.id, assignment);
  if (!release)
    throw new NotReleasedError(`${assignment} of ${course.name} is not released.`, {
      hint: 'Ask your instructor; `coursehub nbgrader list --course COURSE` shows what is released.',
    });
  const files = await context.area.readRelease(release.folder);
  const folder = `${course.name}/${assignment}`;
  const { kept } = await context.userFolders(actor.name).unpackFolder(folder, files, { keepExisting: true });
  await context.stores.exchange.insertFetch(
    course.id,
    assignment,
    actor.name,
    release.id,
    hubTimestamp(context.now()),
  );
  const keptSet = new Set(kept);
  return {
    folder,
    version: release.version,
    written: files.map((file) => file.path).filter((path) => !keptSet.has(path)),
    kept: files.map((file) => file.path).filter((path) => keptSet.has(path)),
  };
}

/**
 * fetch_assignment from the command line, as nbgrader writes it: the current release's files
 * handed to the caller's own process, which writes `./ASSIGNMENT` in its current directory
 * (nbgrader's default, Exchange.path_includes_course = False). The fetch is recorded as the
 * page's is.
 */
export async function releasedFilesFor(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<{ version: number; files: PackedFile[] }> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  checkFolderName('assignment', assignment);
  const release = await currentRelease(context, course.id, assignment);
  if (!release)
    throw new NotReleasedError(`${assignment} of ${course.name} is not released.`, {
      hint: 'Ask your instructor; `coursehub nbgrader list --course COURSE` shows what is released.',
    });
  const files = await context.area.readRelease(release.folder);
  await context.stores.exchange.insertFetch(
    course.id,
    assignment,
    actor.name,
    release.id,
    hubTimestamp(context.now()),
  );
  return { version: release.version, files };
}
