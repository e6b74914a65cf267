/**
 * submit: a snapshot of the student's COURSE_ID/ASSIGNMENT/, read by the student's own account
 * (the spawner's storage runs `tar` as them), so no link or hard link can make the hub take a file
 * the student cannot read; checked against the limits; stamped with the hub's clock; kept for
 * good beside every earlier one (the latest counts). The receipt is the time stamp and the
 * snapshot's sha256. nbgrader's warnings (missing or extra notebooks) come with it, and a notebook
 * that is not JSON is named.
 */
import { randomBytes } from 'node:crypto';
import type { PackedFile } from '../sandbox/folder-archive.js';
import { AccountFileError } from '../sandbox/errors.js';
import { checkFolderName } from './courses/course-names.js';
import { NotReleasedError, SubmissionRefusedError } from './errors.js';
import { ANY_ROLE, courseFor, type Actor, type ExchangeContext } from './exchange-context.js';
import { hubTimestamp, snapshotChecksum, timestampFolderName, timestampText } from './receipt.js';
import { currentRelease } from './release.js';

export interface SubmitReceipt {
  course: string;
  assignment: string;
  student: string;
  /** The hub's clock: `2026-12-03 15:00:00.123456` (UTC). */
  timestamp: string;
  /** sha256 of the snapshot (sorted paths and contents). */
  checksum: string;
  files: string[];
  warnings: string[];
}

export async function submitAssignment(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
  options: { folder?: string } = {},
): Promise<SubmitReceipt> {
  const course = await courseFor(context, courseId, actor, ANY_ROLE);
  checkFolderName('assignment', assignment);
  if (options.folder !== undefined) checkHomeFolder(options.folder);
  const release = await currentRelease(context, course.id, assignment);
  if (!release)
    throw new NotReleasedError(`${assignment} of ${course.name} is not released; nothing can be submitted.`, {
      hint: 'Ask your instructor; `coursehub nbgrader list --course COURSE` shows what is released.',
    });
  const folder = options.folder ?? `${course.name}/${assignment}`;
  let files: PackedFile[];
  try {
    files = await context
      .userFolders(actor.name)
      .packFolder(folder, context.limits, { exclude: context.ignore });
  } catch (error) {
    if (!(error instanceof AccountFileError)) throw error;
    const missing = error.failure === 'not-found';
    throw new SubmissionRefusedError(
      missing ? `There is no folder ${folder} in your home to submit.` : `Not submitted: ${error.message}`,
      {
        hint: missing
          ? `Fetch the assignment first: coursehub nbgrader fetch_assignment ${assignment} --course ${course.name}`
          : error.hint,
        cause: error,
      },
    );
  }
  const released = await context.area.readRelease(release.folder);
  const warnings = notebookWarnings(assignment, released, files);
  const timestamp = hubTimestamp(context.now());
  const checksum = snapshotChecksum(files);
  const student = actor.name;
  const relative = `${course.name}/submissions/${student}/${assignment}/${timestampFolderName(timestamp)}-${randomBytes(4).toString('hex')}`;
  // With the hub's timestamp.txt beside the snapshot, which collect links into submitted/.
  await context.area.put(relative, files, timestampText(timestamp));
  await context.checkpoint('submit:copied');
  const user = await context.stores.users.findByName(student);
  await context.stores.exchange.insertSubmission({
    courseId: course.id,
    assignment,
    student,
    userId: user?.id ?? null,
    timestamp,
    folder: relative,
    checksum,
    files: files.length,
    bytes: files.reduce((sum, file) => sum + file.data.length, 0),
    releaseId: release.id,
    warnings,
  });
  return {
    course: course.name,
    assignment,
    student,
    timestamp,
    checksum,
    files: files.map((f) => f.path),
    warnings,
  };
}

/**
 * A folder below the student's home to submit instead of COURSE/ASSIGNMENT (the command line's
 * `./ASSIGNMENT`, as nbgrader submits from the current directory): relative, each part a plain
 * name. It is read with the student's own rights either way; this only keeps it a path below home.
 */
function checkHomeFolder(folder: string): void {
  const parts = folder.split('/');
  const bad = (part: string) =>
    part === '' ||
    part === '.' ||
    part === '..' ||
    part.includes('\\') ||
    [...part].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (folder.length > 4096 || parts.length > 64 || parts.some(bad))
    throw new SubmissionRefusedError(`${JSON.stringify(folder)} is not a folder below your home.`, {
      hint: 'Run submit in the folder that holds the assignment folder, inside your home.',
    });
}

/** The notebooks at the top of a folder (nbgrader's find_all_notebooks). */
const notebooksOf = (files: readonly PackedFile[]) =>
  files.filter((file) => !file.path.includes('/') && file.path.endsWith('.ipynb')).map((file) => file.path);

/** nbgrader's check_filename_diff warning, and one for each notebook that is not JSON. */
export function notebookWarnings(
  assignment: string,
  released: readonly PackedFile[],
  submitted: readonly PackedFile[],
): string[] {
  const warnings: string[] = [];
  const expected = notebooksOf(released);
  const given = notebooksOf(submitted);
  const missing = expected.some((name) => !given.includes(name));
  const extra = given.some((name) => !expected.includes(name));
  if (missing || extra) {
    const releaseDiff = expected.map((name) => `${name}: ${given.includes(name) ? 'FOUND' : 'MISSING'}`);
    const submittedDiff = given.map((name) => `${name}: ${expected.includes(name) ? 'OK' : 'EXTRA'}`);
    warnings.push(
      `Possible missing notebooks and/or extra notebooks submitted for assignment ${assignment}:\n` +
        `Expected:\n\t${releaseDiff.join('\n\t')}\nSubmitted:\n\t${submittedDiff.join('\n\t')}`,
    );
  }
  for (const file of submitted.filter((f) => f.path.endsWith('.ipynb'))) {
    try {
      JSON.parse(file.data.toString('utf8'));
    } catch {
      warnings.push(
        `${file.path} is not a notebook (not valid JSON): it cannot be graded. Open it in Jupyter and save it again, or fetch a fresh copy.`,
      );
    }
  }
  return warnings;
}
