/**
 * Facts about processes from the host's /proc (Linux only, like the sandboxes): start times, to
 * know a pid still names the same process after a hub restart; children, to find the program
 * below bwrap; environments and pid namespaces, to sweep up what a sandbox left.
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or undefined. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True when `pid` is the very process that started at `startTime` and has not become a zombie. */
export function isSameProcessAlive(pid: number, startTime: string): boolean {
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[19] === startTime;
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** `pid` and every process below it (children, their children, ...), while they are there. */
export function processTreeOf(pid: number): number[] {
  const found: number[] = [];
  const next = [pid];
  while (next.length > 0) {
    const current = next.pop()!;
    if (found.includes(current)) continue;
    found.push(current);
    next.push(...childrenOf(current));
  }
  return found.filter((each) => statFields(each) !== undefined);
}

/** Follows the only (or first) child `depth` times: bwrap -> its pid-1 init -> the program. */
export function descendantAtDepth(pid: number, depth: number): number | null {
  let current = pid;
  for (let level = 0; level < depth; level += 1) {
    const next = childrenOf(current)[0];
    if (next === undefined) return null;
    current = next;
  }
  return current;
}

/** Live (not zombie) processes whose real uid is `uid`. */
export function processesOfUser(uid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const real = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (Number(real) === uid && statFields(entry)?.[0] !== 'Z') found.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return found;
}

/**
 * Live processes whose environment holds `NAME=value`. A program given a unique id in its
 * environment passes it to all it starts; where no cgroup is available this is how a daemon that
 * left the process group is found. Code that scrubs its own environment escapes it, which is why
 * grading uses the sandbox, where the pid namespace ends all.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle))
        found.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

/** The pid namespace of a process (e.g. `pid:[4026532712]`), or null if it is gone. */
export function pidNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** A pid namespace held open, so that its id cannot be given to a new namespace meanwhile. */
export interface HeldPidNamespace {
  readonly name: string;
  release(): void;
}

/**
 * Holds the pid namespace of `pid` (null if the process is gone or shares `exceptLike`'s). A
 * namespace's id (`pid:[N]`) is reused soon after the namespace dies, often by the next sandbox's:
 * sweeping by id after the sandbox's death would hit that one unless the id is held.
 */
export function holdPidNamespace(pid: number, exceptLike: number): HeldPidNamespace | null {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/ns/pid`, 'r');
  } catch {
    return null;
  }
  const name = readlinkSync(`/proc/self/fd/${fd}`);
  if (name === pidNamespaceOf(exceptLike) || name !== pidNamespaceOf(pid)) {
    closeSync(fd);
    return null;
  }
  let open = true;
  return {
    name,
    release: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * Processes of a pid namespace that have not finished exiting. When a sandbox's init dies the
 * kernel kills the rest of its namespace, but asynchronously: a shutdown that returns before they
 * are gone would leave them running for a moment.
 */
export function processesInPidNamespace(namespace: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || pidNamespaceOf(Number(entry)) !== namespace) continue;
    const fields = statFields(entry);
    if (fields && fields[0] !== 'Z') found.push(Number(entry));
  }
  return found;
}
