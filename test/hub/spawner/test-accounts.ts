/** Test helper: Unix accounts made by spawner tests are removed again, home and all. */
import { execFileSync } from 'node:child_process';

export function removeUnixAccount(name: string): void {
  try {
    execFileSync('userdel', ['--remove', '--force', name], { stdio: 'ignore' });
  } catch {
    // not there
  }
}
