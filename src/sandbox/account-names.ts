/**
 * Which hub user names may become Unix accounts: the portable POSIX-ish rule Debian's adduser
 * enforces by default, minus the names of system accounts. A hub name outside it (an e-mail
 * address, say) cannot become an account and must be mapped first.
 */
import { UnixAccountError } from './errors.js';

/** The account grading kernels run as (a system account; see unix-accounts.ts). */
export const GRADER_ACCOUNT = 'coursehub-grader';

const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

// Accounts Debian, our own dependencies or coursehub itself create; refused even when not (yet)
// present here, so that a later `apt-get install postgresql` cannot hand a hub user the
// database's account, and no hub user can become the grader before the grader account exists.
const RESERVED_NAMES = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'gnats',
  'nobody',
  'nogroup',
  '_apt',
  'messagebus',
  'sshd',
  'postgres',
  'systemd-network',
  'systemd-resolve',
  'systemd-timesync',
  'polkitd',
  'docker',
  'shadow',
  'staff',
  'users',
  'sudo',
  'adm',
  'wheel',
  'jupyter',
  'coursehub',
  GRADER_ACCOUNT,
]);

export function checkUnixName(name: string): void {
  if (!UNIX_NAME.test(name))
    throw new UnixAccountError(`The user name "${name}" cannot be a Unix account name.`, {
      hint: 'Local servers run as a Unix account with the user\'s name: use lower-case letters, digits, "_" and "-" (at most 32, not starting with a digit or "-").',
    });
  if (RESERVED_NAMES.has(name) || name.startsWith('systemd-'))
    throw new UnixAccountError(`The user name "${name}" is the name of a system account.`, {
      hint: 'Rename this hub user; a user server must never run as a system account.',
    });
}
