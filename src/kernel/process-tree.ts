/** Reading the host's process tree from /proc (Linux only, like the sandbox). */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Follows the only (or first) child `depth` times: bwrap -> its pid-1 init -> the kernel. */
export function descendantAtDepth(pid: number, depth: number): number | null {
  let current = pid;
  for (let level = 0; level < depth; level += 1) {
    const next = childrenOf(current)[0];
    if (next === undefined) return null;
    current = next;
  }
  return current;
}

/**
 * Live processes whose environment holds `NAME=value`. Every kernel gets a unique id in its
 * environment, inherited by all it starts; where no cgroup is available (unsandboxed, not root)
 * this is how shutdown finds a daemon that left the process group. Code that scrubs its own
 * environment escapes it, which is why grading uses the sandbox, where the pid namespace ends all.
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
 * namespace's id (`pid:[N]`) is reused soon after the namespace dies, often by the next kernel's:
 * sweeping by id after the kernel's death would hit that kernel unless the id is held.
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
 * are gone would leave them running for a moment, and some of them no longer show the kernel's
 * id in their environment while they exit.
 */
export function processesInPidNamespace(namespace: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || pidNamespaceOf(Number(entry)) !== namespace) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) found.push(Number(entry));
    } catch {
      /* gone while we looked */
    }
  }
  return found;
}
