/**
 * Which names may become hub users when user servers run as Unix accounts of the same name (the
 * local spawner): not a system account (root, nobody, the grader's account, any other name the
 * sandbox reserves, any account with a uid below 1000), and not an existing account that
 * coursehub did not make for a user. Such a name used to be accepted and then fail with a 500 when
 * the user's server started; now the roster import, the REST API and the admin console refuse it,
 * by name.
 *
 * An existing account is coursehub's when it is what src/sandbox/unix-accounts.ts makes and
 * removes: an ordinary uid, its home under spawner.local.homeRoot, and coursehub's comment (GECOS)
 * as its marker. That rule is the one removeUnixAccount applies; it is at least as strict as what
 * ensureUnixAccount accepts at a server's start, so a name accepted here can be started.
 */
import { execFile } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';
import { promisify } from 'node:util';
import { checkUnixName } from '../../sandbox/account-names.js';
import { CoursehubError } from '../../util/errors.js';

const run = promisify(execFile);

/**
 * The comment coursehub gives the accounts it makes for users. It must equal USER_ACCOUNT_COMMENT
 * of src/sandbox/unix-accounts.ts, which does not export it (test/bad-input/hub-roster.test.ts
 * makes an account there and checks it is accepted here).
 */
const COURSEHUB_ACCOUNT_COMMENT = 'coursehub user';

interface PasswdEntry {
  uid: number;
  comment: string;
  home: string;
}

async function lookupPasswd(name: string): Promise<PasswdEntry | undefined> {
  try {
    const { stdout } = await run('getent', ['passwd', name]);
    const [, , uid, , comment, home] = stdout.trim().split(':');
    return { uid: Number(uid), comment: comment ?? '', home: home ?? '' };
  } catch (error) {
    // getent exits 2 when there is no such account; anything else is a real failure.
    if ((error as { code?: unknown }).code === 2) return undefined;
    throw error;
  }
}

/** Why `name` cannot be a hub user here, or undefined when it can. */
export type AccountNameCheck = (name: string) => Promise<string | undefined>;

/** Lowest uid of an ordinary account (Debian's /etc/login.defs); nobody is 65534. */
const UID_MIN = 1000;
const NOBODY_UID = 65534;

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The check for the local spawner, whose users' homes are under `homeRoot`. */
export function unixAccountNameCheck(homeRoot: string): AccountNameCheck {
  return async (name) => {
    try {
      checkUnixName(name);
    } catch (error) {
      if (error instanceof CoursehubError) return `"${name}" is the name of a system account`;
      throw error;
    }
    const account = await lookupPasswd(name);
    if (!account) return undefined;
    if (account.uid < UID_MIN || account.uid === NOBODY_UID)
      return `"${name}" is a system account on this machine (uid ${account.uid})`;
    if (account.comment !== COURSEHUB_ACCOUNT_COMMENT || !isUnder(homeRoot, account.home))
      return `"${name}" is an existing Unix account that coursehub did not create (home ${account.home})`;
    return undefined;
  };
}

/** Runs `check` over many names, a few at a time (each looks the account up). */
export async function namesRefused(check: AccountNameCheck, names: string[]): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  const batch = 16;
  for (let i = 0; i < names.length; i += batch) {
    const slice = names.slice(i, i + batch);
    const reasons = await Promise.all(slice.map((name) => check(name)));
    slice.forEach((name, j) => {
      const reason = reasons[j];
      if (reason) refused.set(name, reason);
    });
  }
  return refused;
}
