/**
 * GNU tar for what root reads and writes itself (the data directory, course directories, the
 * outer archive): it keeps owners by name and modes, and as root restores them by name, so a
 * file of account `alice` or group `course-x` is theirs again on a machine where they have
 * other numbers.
 */
import { spawn } from 'node:child_process';
import { BackupError } from './manifest.js';

/** Runs tar; with `changedIsFine`, exit code 1 (a file changed while read: a running hub) passes. */
export function runTar(args: string[], changedIsFine = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('error', (error) => reject(new BackupError(`tar could not be run: ${error.message}`)));
    child.once('close', (code) =>
      code === 0 || (changedIsFine && code === 1)
        ? resolve()
        : reject(new BackupError(`tar ${args[0]} failed (exit code ${code}): ${stderr.trim()}`)),
    );
  });
}
