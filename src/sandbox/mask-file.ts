import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The empty, mode-000 file a bubblewrap sandbox binds over each masked file, in `folder` (a
 * private folder of the caller). Created once and never reopened: a non-root owner could not open
 * it again.
 */
export async function ensureMaskFile(folder: string): Promise<string> {
  const path = join(folder, 'masked-file');
  await writeFile(path, '', { flag: 'wx', mode: 0o000 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return path;
}
