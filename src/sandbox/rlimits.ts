/**
 * Resource limits of a single process (setrlimit), by prlimit(1)'s names. Node cannot set them
 * for a child, and util-linux's prlimit is on every Debian machine, so a sandboxed program is
 * started through it, right before the program itself.
 */
export interface Rlimits {
  /** Largest core dump (0: none). */
  core?: number;
  /** Largest file it may write. */
  fsize?: number;
  /** Open files at once. */
  nofile?: number;
  /** Processes of its user at once (counted per user, not per sandbox). */
  nproc?: number;
  /** Address space. */
  as?: number;
}

export const PRLIMIT = '/usr/bin/prlimit';

/** `prlimit --NAME=VALUE ... --` for a command, or nothing when there is no limit to set. */
export function prlimitArgs(limits: Rlimits): string[] {
  const args = Object.entries(limits)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `--${name}=${value}`);
  return args.length === 0 ? [] : [PRLIMIT, ...args, '--'];
}
