/**
 * Copies a folder tree with GNU cp (`-R --preserve=mode,timestamps --no-dereference
 * --reflink=auto`): a class's course directory holds tens of thousands of small files, which
 * Node's fs.cp copies one JavaScript round trip at a time, many times slower. Links are copied as
 * links (never followed); owners are not carried over (the copy belongs to whoever runs it).
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { CoursehubError } from '../util/errors.js';

const run = promisify(execFile);

export class CopyTreeError extends CoursehubError {}

/** Copies the file `from` to `to`, or the folder `from`'s contents into `to` (made when missing). */
export async function copyTree(from: string, to: string): Promise<void> {
  try {
    const folder = (await lstat(from)).isDirectory();
    if (folder) await mkdir(to, { recursive: true });
    const args = ['-R', '--preserve=mode,timestamps', '--no-dereference', '--reflink=auto', '--'];
    await run('cp', [...args, folder ? `${from}/.` : from, to], { maxBuffer: 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new CopyTreeError(`Copying ${from} to ${to} failed${stderr ? `: ${stderr}` : ''}.`, {
      hint: 'Check the free space and the rights on both folders; nothing was imported or exported.',
      cause: error,
    });
  }
}
