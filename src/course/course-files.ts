/**
 * Reading and writing course files: listing a folder's files with nbgrader's rules, notebooks in,
 * notebooks out, copies, timestamps. Symbolic links are never followed or copied: a student's (or
 * an instructor's) link to /etc/shadow must never be read by the grader.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parseNotebook, writeNotebook, type Notebook } from '../notebook/index.js';
import { CoursehubError } from '../util/errors.js';
import { fileSystemError, FileSystemError } from '../util/file-errors.js';
import {
  copyExclusion,
  globMatches,
  isIgnoredName,
  type CopyRules,
  type CopyExclusion,
} from './ignore-rules.js';

const posix = (path: string) => path.split(sep).join('/');

/** A folder's entries, or none when it cannot be read (os.walk skips what it cannot list). */
async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return []; // as os.walk: an unreadable folder has no files (callers check the folders they need)
  }
}

/**
 * nbgrader's `find_all_files(dir, exclude)`: every regular file under `dir` whose name, and whose
 * folders' names, no glob of `exclude` takes (glob's rule, see ignore-rules.ts). Relative POSIX
 * paths, sorted.
 */
export async function findAllFiles(dir: string, exclude: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await entriesOf(current)) {
      if (isIgnoredName(entry.name, exclude)) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push(posix(relative(dir, path)));
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * The files the exchange copies from `dir` (nbgrader's copytree with `ignore_patterns`): ignored
 * names are skipped at any depth, then files not included or too large. Relative POSIX paths,
 * sorted; `onSkip` hears about each file left out (nbgrader warns about the too large ones).
 */
export async function findFilesToCopy(
  dir: string,
  rules: CopyRules,
  onSkip?: (path: string, why: CopyExclusion) => void,
): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await entriesOf(current)) {
      const path = join(current, entry.name);
      const isFile = entry.isFile();
      if (!isFile && !entry.isDirectory()) continue;
      const why = copyExclusion(entry.name, isFile ? { size: (await lstat(path)).size } : null, rules);
      if (why) onSkip?.(posix(relative(dir, path)), why);
      else if (isFile) found.push(posix(relative(dir, path)));
      else await walk(path);
    }
  };
  await walk(dir);
  return found.sort();
}

/** Names of the regular files in `dir` that the glob takes (glob's rule), sorted: e.g. `*.ipynb`. */
export async function filesMatching(dir: string, pattern: string): Promise<string[]> {
  return (await entriesOf(dir))
    .filter((entry) => entry.isFile() && globMatches(entry.name, pattern))
    .map((entry) => entry.name)
    .sort();
}

/** Copies `files` (relative paths) from one folder to another, replacing what is there. */
export async function copyFiles(
  from: string,
  to: string,
  files: readonly string[],
  options: { mode?: number } = {},
): Promise<void> {
  for (const file of files) {
    const target = join(to, file);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await copyFile(join(from, file), target);
    if (options.mode !== undefined) await chmod(target, options.mode);
  }
}

/** Reads and parses a notebook; `label` names it in errors (e.g. "source/ps1/problem1.ipynb"). */
export async function readNotebookFile(path: string, label: string = path): Promise<Notebook> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileSystemError(error, 'read the notebook', { path: label }) ?? error;
  }
  return parseNotebook(bytes, { name: label });
}

/**
 * Writes a notebook as nbformat does. With `replace`, whatever is at the name (left there by a
 * student's code, say) is removed first and the new file must be created, never written through.
 */
export async function writeNotebookFile(
  path: string,
  notebook: Notebook,
  options: { mode: number; replace?: boolean },
): Promise<void> {
  if (options.replace) await rm(path, { recursive: true, force: true });
  await writeFile(path, writeNotebook(notebook), {
    mode: options.mode,
    ...(options.replace ? { flag: 'wx' } : {}),
  });
  if (!options.replace) await chmod(path, options.mode);
}

/** What is at `path`, or null when nothing is. */
async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fileSystemError(error, `read ${path}`) ?? error;
  }
}

/**
 * Writes a text file through a temporary file beside it and a rename, so a reader never sees half
 * of it and a failure leaves the old file. A link is followed (the file it points to is replaced,
 * not the link); a device or pipe such as /dev/stdout is written to directly; a folder is refused.
 */
export async function writeFileInPlace(path: string, text: string): Promise<void> {
  const existing = await lstatOrNull(path);
  const link = existing?.isSymbolicLink() ?? false;
  const info = link ? await stat(path).catch(() => null) : existing; // null: the link leads nowhere
  if (link && !info)
    throw new FileSystemError(
      `Cannot write ${path}: it is a link to ${await readlink(path)}, which does not exist`,
      'ENOENT',
      path,
      { hint: 'Remove the link or create what it points to.' },
    );
  if (info?.isDirectory())
    throw new FileSystemError(`Cannot write ${path}: it is a folder`, 'EISDIR', path, {
      hint: `Give the path of a file, e.g. ${join(path, 'grades.csv')}.`,
    });
  if (info && !info.isFile()) {
    await writeFile(path, text); // nothing to replace: the text goes to the device or pipe
    return;
  }
  const target = link ? await realpath(path) : path;
  const parent = dirname(target);
  const folder = await lstatOrNull(parent);
  if (!folder?.isDirectory())
    throw new FileSystemError(
      `Cannot write ${path}: the folder ${parent} ${folder ? 'is not a folder' : 'does not exist'}`,
      folder ? 'ENOTDIR' : 'ENOENT',
      parent,
      { hint: 'Create the folder first, or give another path.' },
    );
  const partial = join(parent, `.${basename(target)}.partial-${randomUUID()}`);
  try {
    await writeFile(partial, text, { flag: 'wx' });
    if (info) await chmod(partial, info.mode & 0o7777);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw fileSystemError(error, `write ${path}`, { path }) ?? error;
  }
}

/** The text of `dir`/timestamp.txt, or null when there is none. */
export async function readTimestampFile(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, 'timestamp.txt'), 'utf8');
  } catch {
    return null; // as nbgrader: no readable timestamp.txt means no submission time
  }
}

/** Removes a file or folder and everything in it, if it is there. */
export async function removeFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Whether anything (a link too) is at `path`; a path that cannot be looked at counts as absent. */
export async function pathExists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null)) !== null; // the answer is the question asked
}

/** Whether `path` is a folder itself (not a link to one); a path that cannot be looked at is not. */
export async function isFolder(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() ?? false; // the answer is the question asked
}

/** A file of one folder and a file of another that cannot both be copied into one folder. */
export class PathConflictError extends CoursehubError {}

/**
 * Where copying `later` over `earlier` (relative POSIX paths of files) would need a file and a
 * folder at one path: a file `data` beside another's `data/x.csv`. Returns [earlier, later] pairs.
 */
export function pathConflicts(earlier: readonly string[], later: readonly string[]): Array<[string, string]> {
  const conflicts: Array<[string, string]> = [];
  const folders = (files: readonly string[]) => {
    const found = new Map<string, string>();
    for (const file of files) {
      const parts = file.split('/');
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        if (!found.has(folder)) found.set(folder, file);
      }
    }
    return found;
  };
  const earlierFolders = folders(earlier);
  const laterFolders = folders(later);
  for (const file of earlier) {
    const needing = laterFolders.get(file);
    if (needing !== undefined) conflicts.push([file, needing]);
  }
  for (const file of later) {
    const holding = earlierFolders.get(file);
    if (holding !== undefined) conflicts.push([holding, file]);
  }
  return conflicts;
}

const CHECKPOINTS = Buffer.from('.ipynb_checkpoints');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The name as text, or null when it is not UTF-8. */
function utf8Name(name: Buffer): string | null {
  try {
    return strictUtf8.decode(name);
  } catch {
    return null; // the caller says so, naming the file
  }
}

/** A file name for messages: UTF-8 as it is, other bytes as \xNN. */
function displayName(name: Buffer): string {
  const text = utf8Name(name);
  if (text !== null) return text;
  return [...name]
    .map((byte) => (byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16)}`))
    .join('');
}

/**
 * Copies a folder for a run of a notebook in it (validate): regular files and folders, never links,
 * checkpoints left out. Names are read as bytes, so that a file whose name is not UTF-8 cannot
 * break the copy: it is left out (the sandbox hands the copy over by name, as text) and reported to
 * `onSkip`, as is an entry that cannot be read. A file the notebook does not use must not stop it
 * from running.
 */
export async function copyFolderForRun(
  from: string,
  to: string,
  onSkip: (path: string, reason: string) => void,
): Promise<void> {
  const slash = Buffer.from('/');
  const child = (parent: Buffer, name: Buffer) => Buffer.concat([parent, slash, name]);
  // The copy may be inside the folder (a $TMPDIR in the student's home): it is not copied into itself.
  const destination = await lstat(to);
  const isDestination = async (path: Buffer) => {
    const info = await lstat(path);
    return info.ino === destination.ino && info.dev === destination.dev;
  };
  const walk = async (source: Buffer, target: Buffer): Promise<void> => {
    let entries;
    try {
      entries = await readdir(source, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      onSkip(displayName(source), (error as Error).message);
      return;
    }
    for (const entry of entries) {
      const name = entry.name as unknown as Buffer;
      if (name.equals(CHECKPOINTS)) continue;
      const sourcePath = child(source, name);
      const targetPath = child(target, name);
      if (utf8Name(name) === null) {
        onSkip(`${displayName(source)}/${displayName(name)}`, 'its name is not UTF-8');
        continue;
      }
      if (entry.isDirectory()) {
        if (await isDestination(sourcePath)) continue;
        await mkdir(targetPath);
        await walk(sourcePath, targetPath);
      } else if (entry.isFile()) {
        try {
          await copyFile(sourcePath, targetPath, constants.COPYFILE_EXCL);
        } catch (error) {
          onSkip(displayName(sourcePath), (error as Error).message);
        }
      }
    }
  };
  await walk(Buffer.from(from), Buffer.from(to));
}
