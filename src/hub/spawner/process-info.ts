/**
 * Facts about a process from /proc, used to re-attach to a server after a hub restart: a pid
 * alone could by then belong to another process, so the kernel's start time is stored with it.
 */
import { readFileSync } from 'node:fs';

/** Start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or undefined. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count from after it.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[19];
  } catch {
    return undefined;
  }
}

/** True when `pid` is the very process that started at `startTime` and has not become a zombie. */
export function isSameProcessAlive(pid: number, startTime: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return afterName[0] !== 'Z' && afterName[19] === startTime;
  } catch {
    return false;
  }
}
