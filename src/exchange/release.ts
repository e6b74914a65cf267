/**
 * release_assignment and unrelease: an immutable, versioned copy of the course's
 * release/ASSIGNMENT/ in the exchange's area. Releasing unchanged files again is the same release
 * (no new version); a change makes version N+1, which students fetch from then on. Unrelease
 * withdraws the current version: nothing can be fetched or submitted against it. An assignment
 * with no release folder yet is generated first (./generate-for-release.ts), and the result says so.
 */
import { CourseDirectory } from '../course/course-directory.js';
import type { ReleaseRow } from '../db/stores/exchange.js';
import { checkFolderName } from './courses/course-names.js';
import { NotReleasedError, ReleaseRefusedError } from './errors.js';
import { courseFor, INSTRUCTOR_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { readFolderFiles } from './folder-files.js';
import { generateForRelease, type GeneratedForRelease } from './generate-for-release.js';
import { pathExists } from '../course/course-files.js';
import { hubTimestamp, snapshotChecksum } from './receipt.js';

export interface ReleaseResult {
  version: number;
  checksum: string;
  files: string[];
  /** The files were those of the current release already: nothing new was released. */
  unchanged: boolean;
  /** release/ASSIGNMENT/ was missing, so generate_assignment made it first: what it wrote. */
  generated?: GeneratedForRelease;
}

/** The newest release of the assignment that was not withdrawn, or undefined. */
export async function currentRelease(
  context: ExchangeContext,
  courseRowId: number,
  assignment: string,
): Promise<ReleaseRow | undefined> {
  const releases = await context.stores.exchange.releases(courseRowId, assignment);
  const latest = releases.at(-1);
  return latest && latest.withdrawnAt === null ? latest : undefined;
}

export async function releaseAssignment(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<ReleaseResult> {
  const course = await courseFor(context, courseId, actor, INSTRUCTOR_ROLES);
  checkFolderName('assignment', assignment);
  const directory = new CourseDirectory(course.directory);
  const folder = directory.release(assignment);
  // As nbgrader's instructors expect: releasing an assignment never generated generates it first
  // (with no source either, there is nothing to generate: refused below as a missing release).
  const mustGenerate = !(await pathExists(folder)) && (await pathExists(directory.source(assignment)));
  const generated = mustGenerate ? await generateForRelease(context, course, assignment) : undefined;
  const said = generated ? { generated } : {};
  const files = await readFolderFiles(folder, {
    ignore: context.ignore,
    limits: context.limits,
    label: `release/${assignment}`,
  });
  if (files.length === 0)
    throw new ReleaseRefusedError(`release/${assignment} of ${course.name} is missing or empty.`, {
      hint: `Put the notebooks in source/${assignment}/ (a missing release/${assignment} is generated from it), or generate it: coursehub nbgrader generate_assignment ${assignment} --course ${course.name}`,
    });
  const checksum = snapshotChecksum(files);
  const current = await currentRelease(context, course.id, assignment);
  const paths = files.map((file) => file.path);
  if (current?.checksum === checksum)
    return { version: current.version, checksum, files: paths, unchanged: true, ...said };

  const all = await context.stores.exchange.releases(course.id, assignment);
  const version = (all.at(-1)?.version ?? 0) + 1;
  const relative = `${course.name}/releases/${assignment}/v${version}`;
  await context.area.put(relative, files);
  await context.checkpoint('release:copied');
  await context.stores.exchange.insertRelease({
    courseId: course.id,
    assignment,
    version,
    folder: relative,
    checksum,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + file.data.length, 0),
    releasedAt: hubTimestamp(context.now()),
    releasedBy: actor.name,
  });
  return { version, checksum, files: paths, unchanged: false, ...said };
}

export async function unreleaseAssignment(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<{ version: number }> {
  const course = await courseFor(context, courseId, actor, INSTRUCTOR_ROLES);
  const current = await currentRelease(context, course.id, assignment);
  if (!current)
    throw new NotReleasedError(`${assignment} of ${course.name} is not released.`, {
      hint: 'Nothing to withdraw.',
    });
  await context.stores.exchange.withdraw(current.id, hubTimestamp(context.now()), actor.name);
  return { version: current.version };
}
