/**
 * THE Unix accounts coursehub runs code as, made and removed here only:
 * - one ordinary account per hub user, named after the user (so nbgrader and the notebook see
 *   `alice`, not a shared service user), with a persistent private home under a configured root,
 *   made on first use and removed for good with the user;
 * - one system account, GRADER_ACCOUNT, that grading kernels run as; it owns nothing but the
 *   runtime folder and working copy of the kernel it runs.
 * useradd and userdel take /etc/passwd's lock and fail rather than wait: this process runs them
 * one at a time, and retries briefly when another process holds the lock.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readFile, rename } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { saveAccountDatabase } from './account-database-copy.js';
import { checkUnixName, GRADER_ACCOUNT } from './account-names.js';
import { SandboxSetupError, UnixAccountError } from './errors.js';
import { archiveHome } from './home-archive.js';
import { processesOfUser } from './process-tree.js';
import type { SandboxAccount } from './sandbox.js';

const run = promisify(execFile);

/** An account of /etc/passwd (or NSS): who a sandbox runs as, with the home coursehub gave it. */
export interface UnixAccount extends SandboxAccount {
  home: string;
}

/**
 * The comment (GECOS) of the accounts coursehub makes for hub users: the mark by which it knows its
 * own, to use and to remove. Only root sets it (Debian's CHFN_RESTRICT lets users change neither
 * their full name nor this field as a whole).
 */
const USER_ACCOUNT_COMMENT = 'coursehub user';

/** Lowest uid of an ordinary (non-system) account, as in Debian's /etc/login.defs. */
const UID_MIN = 1000;
const NOBODY_UID = 65534;

/**
 * The account's passwd entry: from /etc/passwd when it is there (NSS's `files`, first on Debian,
 * and where useradd puts coursehub's accounts), read without a process; else from `getent`
 * (LDAP and other NSS sources). Every submission looks its student up: 200 at once must not cost
 * 200 forks of the hub.
 */
async function lookupPasswd(name: string): Promise<(UnixAccount & { comment: string }) | undefined> {
  const line =
    (await passwdFileLine(name)) ??
    (await run('getent', ['passwd', name]).then(
      ({ stdout }) => stdout.trim(),
      () => undefined, // getent exits 2 when there is no such account
    ));
  if (line === undefined) return undefined;
  const [, , uid, gid, comment, home] = line.split(':');
  return { name, uid: Number(uid), gid: Number(gid), home: home ?? '', comment: comment ?? '' };
}

async function passwdFileLine(name: string): Promise<string | undefined> {
  const text = await readFile(PASSWD, 'utf8').catch(() => '');
  return text.split('\n').find((line) => line.startsWith(`${name}:`));
}

const PASSWD = '/etc/passwd';

export async function lookupUnixAccount(name: string): Promise<UnixAccount | undefined> {
  const entry = await lookupPasswd(name);
  return entry && { name: entry.name, uid: entry.uid, gid: entry.gid, home: entry.home };
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

let accountQueue: Promise<unknown> = Promise.resolve();

/** Runs account changes of this process one after another (useradd fails on a held lock). */
function oneAtATime<T>(job: () => Promise<T>): Promise<T> {
  const next = accountQueue.then(job);
  accountQueue = next.catch(() => undefined); // the caller gets the failure through `next`
  return next;
}

/**
 * Another process (a second hub command, an admin, a grader making its account) may hold the lock
 * on /etc/passwd or /etc/group; waiting briefly and trying again is what a person would do.
 */
async function runWithRetry(command: 'useradd' | 'userdel', args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(command, args);
      break;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? '');
      if (attempt >= 10 || !/lock|try again/i.test(stderr)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
  // Outside the retries: the change is made, and a failing copy must not run it again.
  await saveAccountDatabase();
}

function stderrOf(error: unknown): string {
  return String((error as { stderr?: string }).stderr ?? error).trim();
}

/** Whether `account` is one coursehub made for a hub user: its mark, an ordinary uid, its home under `homeRoot`. */
function madeByCoursehub(account: UnixAccount & { comment: string }, homeRoot: string): boolean {
  return (
    account.comment === USER_ACCOUNT_COMMENT &&
    account.uid >= UID_MIN &&
    account.uid !== NOBODY_UID &&
    isUnder(homeRoot, account.home)
  );
}

/**
 * The account of hub user `name`, created with home `homeRoot/name` (mode 700) when missing. An
 * existing account is used only when coursehub made it (its mark, an ordinary uid, its home under
 * `homeRoot`): a hub user who shares a name with a login of the machine must never run as that
 * login, nor have its home changed. A home folder left where a new account's home goes (a removed
 * account's, not archived) is moved aside, never handed to the new account (see archiveHome).
 */
export function ensureUnixAccount(name: string, homeRoot: string): Promise<UnixAccount> {
  try {
    checkUnixName(name);
  } catch (error) {
    return Promise.reject(error);
  }
  // An account that is there and in order (the common case: every later start and every file
  // the exchange moves) is read without waiting in the queue, which serializes changes only.
  return readyAccount(name, homeRoot).then(
    (ready) => ready ?? oneAtATime(() => ensureUnixAccountNow(name, homeRoot)),
  );
}

/** The account when coursehub made it and its home is as ensureHome leaves it; else undefined. */
async function readyAccount(name: string, homeRoot: string): Promise<UnixAccount | undefined> {
  const existing = await lookupPasswd(name);
  if (
    !existing ||
    existing.uid < UID_MIN ||
    existing.uid === NOBODY_UID ||
    !madeByCoursehub(existing, homeRoot)
  )
    return undefined;
  const home = await lstat(existing.home).catch(() => undefined);
  if (
    !home?.isDirectory() ||
    home.uid !== existing.uid ||
    home.gid !== existing.gid ||
    (home.mode & 0o7777) !== 0o700
  )
    return undefined;
  return { name: existing.name, uid: existing.uid, gid: existing.gid, home: existing.home };
}

async function ensureUnixAccountNow(name: string, homeRoot: string): Promise<UnixAccount> {
  const existing = await lookupPasswd(name);
  if (existing) {
    if (existing.uid < UID_MIN || existing.uid === NOBODY_UID)
      throw new UnixAccountError(`"${name}" is a system account (uid ${existing.uid}) on this machine.`, {
        hint: 'Rename this hub user; a user server must never run as a system account.',
      });
    if (!madeByCoursehub(existing, homeRoot))
      throw new UnixAccountError(
        `The Unix account "${name}" (uid ${existing.uid}, home ${existing.home}) exists on this machine and was not made by coursehub; the hub user "${name}" cannot use it.`,
        {
          hint: `Rename the hub user (every hub user gets an account of their own, made by coursehub with the comment "${USER_ACCOUNT_COMMENT}" and a home under ${homeRoot}); coursehub never takes over another account or changes its home.`,
        },
      );
    const account = { name: existing.name, uid: existing.uid, gid: existing.gid, home: existing.home };
    await ensureHome(account);
    return account;
  }
  const home = join(homeRoot, name);
  await mkdir(homeRoot, { recursive: true, mode: 0o755 });
  // No account, but its home is there: a removed user's files, which a new account must not get.
  if (await exists(home)) await archiveHome(name, home, homeRoot);
  try {
    await runWithRetry('useradd', [
      '--create-home',
      '--home-dir',
      home,
      '--shell',
      '/bin/bash',
      '--user-group',
      '--comment',
      USER_ACCOUNT_COMMENT,
      name,
    ]);
  } catch (error) {
    throw new UnixAccountError(`Could not create the Unix account "${name}": ${stderrOf(error)}`, {
      hint: 'The hub must run as root to create accounts; see the hub log for the command that failed.',
      cause: error,
    });
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

/** What removing a hub user's account did. */
export type AccountRemoval =
  | { outcome: 'removed'; uid: number; archivedHome: string | null }
  | { outcome: 'no-account' }
  | { outcome: 'not-made-by-coursehub'; account: UnixAccount };

/**
 * Removes hub user `name`'s account for good, if coursehub made it (its mark, an ordinary uid, its
 * home under `homeRoot`): every process of the account is ended, its home is archived
 * (home-archive.ts), then the account is deleted; if deleting fails the home is put back, so a
 * user who is not removed keeps their files. Any other account of that name is left untouched and
 * reported, never removed.
 */
export function removeUnixAccount(name: string, homeRoot: string): Promise<AccountRemoval> {
  try {
    checkUnixName(name);
  } catch (error) {
    return Promise.reject(error);
  }
  return oneAtATime(async (): Promise<AccountRemoval> => {
    const existing = await lookupPasswd(name);
    if (!existing) return { outcome: 'no-account' };
    const account = { name: existing.name, uid: existing.uid, gid: existing.gid, home: existing.home };
    if (!madeByCoursehub(existing, homeRoot)) return { outcome: 'not-made-by-coursehub', account };
    await killEveryProcessOf(account.uid);
    const archivedHome = (await exists(account.home))
      ? await archiveHome(name, account.home, homeRoot)
      : null;
    try {
      await runWithRetry('userdel', [name]);
    } catch (error) {
      if (archivedHome) await rename(archivedHome, account.home);
      throw new UnixAccountError(`Could not remove the Unix account "${name}": ${stderrOf(error)}`, {
        hint: 'Its home is back in place. Stop every process of that account first (its servers are stopped by the hub).',
        cause: error,
      });
    }
    return { outcome: 'removed', uid: account.uid, archivedHome };
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every process of `uid` until none is left (a removed account must not run anything). */
async function killEveryProcessOf(uid: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const pids = processesOfUser(uid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let graderAccount: Promise<UnixAccount> | undefined;

/**
 * The system account grading kernels run as, created on first use when running as root with
 *   useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin NAME
 */
export function ensureGraderAccount(name: string = GRADER_ACCOUNT): Promise<UnixAccount> {
  graderAccount ??= oneAtATime(async () => {
    const existing = await lookupUnixAccount(name);
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
      await runWithRetry('useradd', [
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
      if (!(await lookupUnixAccount(name))) {
        throw new SandboxSetupError(`Could not create the grading account "${name}".`, {
          hint: 'Check that useradd works on this machine, or create the account by hand.',
          cause,
        });
      }
    }
    const created = await lookupUnixAccount(name);
    if (!created) throw new SandboxSetupError(`The grading account "${name}" vanished after useradd.`);
    return created;
  });
  graderAccount.catch(() => (graderAccount = undefined));
  return graderAccount;
}

/**
 * The uids of the accounts coursehub made for hub users with homes under `homeRoot` (the same
 * test as for removal): what the user servers' egress policy covers, even after the policy's
 * rules were lost (a flushed ruleset) while servers kept running.
 */
export async function userAccountUids(homeRoot: string): Promise<number[]> {
  const { stdout } = await run('getent', ['passwd'], { maxBuffer: 64 * 1024 * 1024 });
  const uids: number[] = [];
  for (const line of stdout.split('\n')) {
    const [, , uid, , comment, home] = line.split(':');
    const id = Number(uid);
    if (
      comment === USER_ACCOUNT_COMMENT &&
      id >= UID_MIN &&
      id !== NOBODY_UID &&
      isUnder(homeRoot, home ?? '')
    )
      uids.push(id);
  }
  return uids;
}
