/**
 * The dedicated unprivileged Unix account grading kernels run as. When the hub runs as root and
 * the account is missing it is created with
 *   useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin coursehub-grader
 * It owns nothing but the per-kernel runtime directory and the working copy it grades.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { SandboxSetupError } from './errors.js';

export const GRADER_ACCOUNT = 'coursehub-grader';

export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): UnixAccount | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

let pending: Promise<UnixAccount> | undefined;

/** The grading account, created on first use when running as root. */
export function ensureGraderAccount(name: string = GRADER_ACCOUNT): Promise<UnixAccount> {
  pending ??= (async () => {
    const existing = lookup(name);
    if (existing) return existing;
    if (process.getuid?.() !== 0) {
      throw new SandboxSetupError(
        `The grading account "${name}" does not exist and only root can create it.`,
        {
          hint: `Run as root once, or create it: useradd --system --user-group --no-create-home --shell /usr/sbin/nologin ${name}`,
        },
      );
    }
    try {
      await promisify(execFile)('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ]);
    } catch (cause) {
      // Another hub process may have created it at the same moment.
      if (!lookup(name)) {
        throw new SandboxSetupError(`Could not create the grading account "${name}".`, {
          hint: 'Check that useradd works on this machine, or create the account by hand.',
          cause,
        });
      }
    }
    const created = lookup(name);
    if (!created) throw new SandboxSetupError(`The grading account "${name}" vanished after useradd.`);
    return created;
  })();
  pending.catch(() => (pending = undefined));
  return pending;
}
