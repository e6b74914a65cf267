/**
 * Where a removed user's home goes: HOME_ROOT/.coursehub-removed/NAME-TIMESTAMP, in a folder only
 * its owner (root, for a hub that is root) may enter. Kept, not deleted, because a roster prune can
 * be a mistake and a student's work is worth more than the disk; never handed to a new account of
 * the same name, and out of reach of one that gets the same uid again (the folder above is 0700).
 * In the home root, so that the move is a rename on the same file system; `.` starts no account
 * name, so the folder can never be someone's home. An admin deletes archives by hand.
 */
import { chmod, lstat, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxSetupError } from './errors.js';

export const REMOVED_HOMES_FOLDER = '.coursehub-removed';

/** The archive folder under `homeRoot`: made 0700 when missing; refused unless a folder of this process's user. */
async function archiveFolder(homeRoot: string): Promise<string> {
  const folder = join(homeRoot, REMOVED_HOMES_FOLDER);
  await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(folder);
  if (!info.isDirectory() || info.uid !== process.getuid?.())
    throw new SandboxSetupError(
      `${folder} is not a folder of the hub's own user; removed homes cannot go there.`,
      {
        hint: 'Remove or rename it (it may have been put there by someone else), then remove the user again.',
      },
    );
  await chmod(folder, 0o700);
  return folder;
}

/** Moves `home` (hub user `name`'s) into the archive; resolves to where it went. */
export async function archiveHome(name: string, home: string, homeRoot: string): Promise<string> {
  const folder = await archiveFolder(homeRoot);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = join(folder, `${name}-${stamp}`);
  await rename(home, target);
  return target;
}
