/**
 * fetch_assignment's files written as nbgrader 0.9.5 writes them (exchange/default/
 * fetch_assignment.py, Exchange.path_includes_course = False, assignment_dir '.'): into
 * `./ASSIGNMENT` of the current directory, by this process (so with the caller's own rights). A
 * folder that is there already is refused ("You already have a copy ...") unless `--replace`,
 * which writes only the files that are missing and never touches one that is there.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { CoursehubError } from '../../util/errors.js';

export class FetchDestinationError extends CoursehubError {}

export interface FetchedFile {
  path: string;
  executable: boolean;
  data: Buffer;
}

/** A path from the hub as plain names below the folder (the hub checks them; so does this). */
function checkedPath(path: string): string {
  const parts = path.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0')))
    throw new FetchDestinationError(
      `The hub sent a file name that is not below the assignment: ${JSON.stringify(path)}.`,
      {
        hint: 'Report this to the hub’s administrator; nothing was written.',
      },
    );
  return path;
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * Writes `files` below `cwd/assignment`; the paths written (relative to cwd), and those kept
 * because they were there (with `replace`).
 */
export async function writeFetchedAssignment(
  cwd: string,
  assignment: string,
  files: readonly FetchedFile[],
  replace: boolean,
): Promise<{ written: string[]; kept: string[] }> {
  const destination = resolve(cwd, assignment);
  // Nothing there yet is the usual case; a folder we cannot read fails at the first write.
  const info = await lstat(destination).catch(() => undefined);
  if (info && !info.isDirectory())
    throw new FetchDestinationError(`${assignment} exists here and is not a folder.`, {
      hint: 'Move it away, or run fetch_assignment in another folder.',
    });
  if (info && !replace)
    throw new FetchDestinationError(
      `You already have a copy of the assignment in this directory: ${assignment}`,
      {
        hint: 'Add --replace to restore only the files that are missing (none of yours is overwritten).',
      },
    );
  const written: string[] = [];
  const kept: string[] = [];
  for (const file of files) {
    const target = join(destination, checkedPath(file.path));
    const shown = relative(cwd, target);
    if (await exists(target)) {
      kept.push(shown);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    // O_EXCL | O_NOFOLLOW: a file or link that appeared meanwhile is never written through.
    const handle = await open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      file.executable ? 0o755 : 0o644,
    );
    try {
      await handle.writeFile(file.data);
    } finally {
      await handle.close();
    }
    written.push(shown);
  }
  return { written, kept };
}
