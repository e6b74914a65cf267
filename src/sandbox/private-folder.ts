/**
 * A folder of this process's own in a shared place (/tmp): the kernels' runtime folder, the user
 * servers' mask file. Someone else could have created the path first, as a folder of theirs or a
 * symbolic link to one, to read connection keys or swap sockets: such a path is refused, never used.
 */
import { chmod, lstat, mkdir } from 'node:fs/promises';
import { SandboxSetupError } from './errors.js';

/**
 * Makes `path` (mode `mode`, at most 0755) when missing; refuses it unless it is a real folder
 * (not a symbolic link) owned by this process's user that no one else may write.
 */
export async function ensurePrivateFolder(path: string, mode: number, what: string): Promise<void> {
  await mkdir(path, { recursive: true, mode });
  const info = await lstat(path);
  if (info.isSymbolicLink() || !info.isDirectory())
    throw new SandboxSetupError(`The ${what} ${path} is a symbolic link or not a folder.`, {
      hint: 'Remove it (someone else may have put it there); it is made again on the next start.',
    });
  if (info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0)
    throw new SandboxSetupError(
      `The ${what} ${path} is not a private folder of this user (owner uid ${info.uid}, mode ${(info.mode & 0o7777).toString(8)}).`,
      { hint: 'Remove it (someone else may have created it) or choose another place for it.' },
    );
  if ((info.mode & 0o7777) !== mode) await chmod(path, mode);
}
