/**
 * The one way a process started as root becomes an account here: setpriv(1) switches uid and gid,
 * drops supplementary groups, clears the inheritable and bounding capability sets and sets
 * no_new_privs, so neither the program nor anything it runs can regain root.
 */
export interface AccountIds {
  uid: number;
  gid: number;
}

export const SETPRIV = '/usr/bin/setpriv';

/** `setpriv ... --`: put in front of a command to run it as `account`. */
export function dropPrivilegesArgs(account: AccountIds): string[] {
  return [
    SETPRIV,
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}
