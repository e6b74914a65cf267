/**
 * A course's nbgrader_config.py, read from disk (never executed); grading/nbgrader-config.ts
 * reads its text. A course without the file has nbgrader's defaults.
 */
import { readFile } from 'node:fs/promises';
import { readNbgraderConfig, type NbgraderConfigFile } from '../grading/nbgrader-config.js';

export const NBGRADER_CONFIG_FILE = 'nbgrader_config.py';

/** The literal assignments of the file at `path` (none when there is no such file). */
export async function readNbgraderConfigFile(path: string): Promise<NbgraderConfigFile> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return readNbgraderConfig(text, path);
}
