/**
 * Reading and writing course files: listing a folder's files with nbgrader's rules, notebooks in,
 * notebooks out, copies, timestamps. Symbolic links are never followed or copied: a student's (or
 * an instructor's) link to /etc/shadow must never be read by the grader.
 */
import { chmod, copyFile, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { parseNotebook, writeNotebook, type Notebook } from '../notebook/index.js';
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
    return [];
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
  return parseNotebook(await readFile(path), { name: label });
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

/** Writes a text file through a temporary file and a rename: a reader never sees half of it. */
export async function writeFileInPlace(path: string, text: string): Promise<void> {
  await writeFile(`${path}.partial`, text);
  await rename(`${path}.partial`, path);
}

/** The text of `dir`/timestamp.txt, or null when there is none. */
export async function readTimestampFile(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, 'timestamp.txt'), 'utf8');
  } catch {
    return null;
  }
}

/** Removes a file or folder and everything in it, if it is there. */
export async function removeFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function pathExists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null)) !== null;
}

/** Whether `path` is a folder itself (not a link to one). */
export async function isFolder(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null))?.isDirectory() ?? false;
}
