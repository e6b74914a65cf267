/**
 * A source notebook (source/ASSIGNMENT/NAME.ipynb) opened for marking and saved back: read with a
 * version (the sha256 of its bytes), and saved only if the file still has that version, written
 * beside it and renamed into place (the same owner, group and mode as the file it replaces), so a
 * reader sees the old notebook or the new one, never half of one, and an edit made in Jupyter
 * since the page was opened is never overwritten.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chown, lstat, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseNotebook, writeNotebook, type Notebook } from '../notebook/index.js';
import { CoursehubError } from '../util/errors.js';
import { CourseDirectory } from './course-directory.js';

/** No such source notebook (or not a plain file). */
export class SourceNotebookNotFoundError extends CoursehubError {}

/** The notebook changed on disk after it was opened: nothing was saved. */
export class StaleSourceNotebookError extends CoursehubError {}

export interface OpenedSourceNotebook {
  /** source/ASSIGNMENT/NAME.ipynb, as messages show it. */
  label: string;
  notebook: Notebook;
  /** The sha256 of the file's bytes when it was read; a save must send it back. */
  version: string;
}

const NOTEBOOK_NAME = /^[^/\\\0]+\.ipynb$/;

const versionOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The path of a source notebook, refusing names that are not one file of the folder. */
export function sourceNotebookPath(courseRoot: string, assignment: string, name: string): string {
  if (!NOTEBOOK_NAME.test(name) || name.startsWith('.'))
    throw new SourceNotebookNotFoundError(
      `${JSON.stringify(name)} is not a notebook of source/${assignment}/.`,
      {
        hint: 'Open a notebook from the list of the assignment’s source notebooks.',
      },
    );
  return join(new CourseDirectory(courseRoot).source(assignment), name);
}

async function readPlainFile(path: string, label: string): Promise<Buffer> {
  const info = await lstat(path).catch(() => null); // absent: said just below
  if (!info?.isFile())
    throw new SourceNotebookNotFoundError(`There is no notebook ${label}.`, {
      hint: 'Open a notebook from the list of the assignment’s source notebooks.',
    });
  return readFile(path);
}

/** The notebooks of source/ASSIGNMENT/ (plain files named *.ipynb), sorted. */
export async function sourceNotebooks(courseRoot: string, assignment: string): Promise<string[]> {
  const directory = new CourseDirectory(courseRoot);
  // No source/ASSIGNMENT folder yet: an assignment without notebooks to edit.
  return (await directory.notebooks(directory.source(assignment)).catch(() => [])).filter(
    (name) => NOTEBOOK_NAME.test(name) && !name.startsWith('.'),
  );
}

export async function openSourceNotebook(
  courseRoot: string,
  assignment: string,
  name: string,
): Promise<OpenedSourceNotebook> {
  const path = sourceNotebookPath(courseRoot, assignment, name);
  const label = `source/${assignment}/${name}`;
  const bytes = await readPlainFile(path, label);
  return { label, notebook: parseNotebook(bytes, { name: label }), version: versionOf(bytes) };
}

/**
 * Writes `notebook` over source/ASSIGNMENT/NAME.ipynb if the file still has `version`. Returns the
 * new version.
 */
export async function saveSourceNotebook(
  courseRoot: string,
  assignment: string,
  name: string,
  notebook: Notebook,
  version: string,
): Promise<string> {
  const path = sourceNotebookPath(courseRoot, assignment, name);
  const label = `source/${assignment}/${name}`;
  const stale = () =>
    new StaleSourceNotebookError(`${label} changed on disk since you opened it; nothing was saved.`, {
      hint: 'Open the notebook again to see its current cells, then mark them again.',
    });
  if (versionOf(await readPlainFile(path, label)) !== version) throw stale();
  const info = await lstat(path);
  const text = Buffer.from(writeNotebook(notebook), 'utf8');
  const staged = join(dirname(path), `.${basename(path)}.editor-${randomUUID()}`);
  try {
    const handle = await open(staged, 'wx', info.mode & 0o7777);
    try {
      await handle.writeFile(text);
      await handle.chmod(info.mode & 0o7777);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chown(staged, info.uid, info.gid).catch(() => undefined); // not root: the file is ours anyway
    // The check again, just before the rename: an edit saved while this one was written wins.
    if (versionOf(await readPlainFile(path, label)) !== version) throw stale();
    await rename(staged, path);
  } finally {
    await rm(staged, { force: true });
  }
  return versionOf(text);
}
