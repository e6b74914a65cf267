/**
 * Test helper: what the host's /proc says, to check that a user's processes are capped or gone,
 * and a wait for a condition with a deadline (a wait, not a timing assertion: a condition that
 * never holds fails the test with `what`).
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface HostProcess {
  pid: number;
  uid: number;
  cmdline: string;
}

/** Live (not zombie) processes of the host. */
export function liveProcesses(): HostProcess[] {
  const found: HostProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      // A user's process with no command line has already let go of its memory: it is inside
      // the kernel's exit, past leaving its cgroup (what a stop waits for) and about to be a
      // zombie. It runs nothing more, so it counts as gone (seen once in CI, pid with "").
      if (uid !== 0 && cmdline === '') continue;
      found.push({ pid: Number(entry), uid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export function liveProcessesOf(uid: number): HostProcess[] {
  return liveProcesses().filter((process) => process.uid === uid);
}

export function isLive(pid: number): boolean {
  return liveProcesses().some((process) => process.pid === pid);
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One line of a cgroup v1 key-value file (pids.events, memory.oom_control): the number after `key`. */
export function cgroupCounter(file: string, key: string): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key} `));
  return Number(line?.split(' ')[1] ?? NaN);
}
