/**
 * The one way a process started as root becomes an account here: setpriv(1) switches uid and gid,
 * sets the supplementary groups to exactly the ones given (none by default: every other group is
 * dropped), clears the inheritable and bounding capability sets and sets no_new_privs, so neither
 * the program nor anything it runs can regain root.
 */
export interface AccountIds {
  uid: number;
  gid: number;
  /**
   * Supplementary groups to keep, e.g. the Unix groups of the courses an instructor teaches (their
   * course directories are group-owned). Nothing else of /etc/group is taken.
   */
  groups?: readonly number[];
}

export const SETPRIV = '/usr/bin/setpriv';

/** `setpriv ... --`: put in front of a command to run it as `account`. */
export function dropPrivilegesArgs(account: AccountIds): string[] {
  return [
    SETPRIV,
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    ...(account.groups && account.groups.length > 0
      ? [`--groups=${account.groups.join(',')}`]
      : ['--clear-groups']),
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}
