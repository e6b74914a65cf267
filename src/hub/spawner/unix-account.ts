/**
 * Unix accounts for hub users: the local spawner runs each user's server as an account with the
 * user's own name (so nbgrader and the notebook see `alice`, not a shared service user) and a
 * persistent home directory under a configured root. Accounts are made on first start.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { UnixAccountError } from './errors.js';

const run = promisify(execFile);

export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

// The portable POSIX-ish user name rule Debian's adduser also enforces by default; a hub name
// outside it (an e-mail address, say) cannot become an account and must be mapped first.
const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

// Accounts Debian or our own dependencies create; refused even when not (yet) present here, so
// that a later `apt-get install postgresql` cannot hand a hub user the database's account.
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
]);

/** Lowest uid of an ordinary (non-system) account, as in Debian's /etc/login.defs. */
const UID_MIN = 1000;

export async function lookupUnixAccount(name: string): Promise<UnixAccount | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, gid, , home] = stdout.trim().split(':');
    return { name, uid: Number(uid), gid: Number(gid), home: home ?? '' };
  } catch {
    return undefined; // getent exits 2 when there is no such account
  }
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

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

// useradd takes /etc/passwd's lock and fails rather than waits when another useradd holds it;
// starting 20 users at once must not fail, so account creation in this process goes one by one.
let accountQueue: Promise<unknown> = Promise.resolve();

/**
 * The account for `name`, created with home `homeRoot/name` (mode 700) when missing. An existing
 * account is used only when it is an ordinary account whose home is under `homeRoot`: a hub user
 * who happens to share a name with the machine's administrator must not get that account.
 */
export function ensureUnixAccount(name: string, homeRoot: string): Promise<UnixAccount> {
  try {
    checkUnixName(name);
  } catch (error) {
    return Promise.reject(error);
  }
  const job = accountQueue.then(() => ensureUnixAccountNow(name, homeRoot));
  accountQueue = job.catch(() => undefined);
  return job;
}

/**
 * useradd refuses at once when another process (a second hub command, an admin, the grading
 * sandbox making its account) holds the lock on /etc/passwd or /etc/group; waiting briefly and
 * trying again is what a person would do.
 */
async function useraddWithRetry(args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run('useradd', args);
      return;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '');
      if (attempt >= 10 || !/lock|try again/i.test(stderr)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function ensureUnixAccountNow(name: string, homeRoot: string): Promise<UnixAccount> {
  const existing = await lookupUnixAccount(name);
  if (existing) {
    if (existing.uid < UID_MIN || existing.uid === 65534)
      throw new UnixAccountError(`"${name}" is a system account (uid ${existing.uid}) on this machine.`, {
        hint: 'Rename this hub user; a user server must never run as a system account.',
      });
    if (!isUnder(homeRoot, existing.home))
      throw new UnixAccountError(
        `The Unix account "${name}" exists already with home ${existing.home}, outside ${homeRoot}.`,
        {
          hint: "It was not made by coursehub: rename the hub user, or move that account's home under spawner.homeRoot.",
        },
      );
    await ensureHome(existing);
    return existing;
  }
  const home = join(homeRoot, name);
  await mkdir(homeRoot, { recursive: true, mode: 0o755 });
  try {
    await useraddWithRetry([
      '--create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/bash',
      '--user-group',
      '--comment',
      'coursehub user',
      name,
    ]);
  } catch (error) {
    throw new UnixAccountError(
      `Could not create the Unix account "${name}": ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
      {
        hint: 'The hub must run as root to create accounts; see the hub log for the command that failed.',
        cause: error,
      },
    );
  }
  const created = await lookupUnixAccount(name);
  if (!created) throw new UnixAccountError(`useradd reported success but "${name}" does not exist.`);
  await ensureHome(created);
  return created;
}

/** Home directories are private (700): one student must not read another's work. */
async function ensureHome(account: UnixAccount): Promise<void> {
  await mkdir(account.home, { recursive: true, mode: 0o700 });
  await chown(account.home, account.uid, account.gid);
  await chmod(account.home, 0o700);
}
