/**
 * Whether a sandbox's cgroup ran out of memory: the kernel's OOM killer killed a process in its
 * memory group (`oom_kill` in memory.oom_control, Linux 4.13+), or, on kernels without that
 * count, the group hit its cap at least once (memory.failcnt). Read before the group is removed
 * (stopping a sandbox removes it). A group without the memory controller (no memory cap) never did.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MEMORY_ROOT = '/sys/fs/cgroup/memory/';

function readCount(file: string, line?: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    if (line === undefined) return Number(text.trim());
    const match = new RegExp(`^${line} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `dirs`: the group's folders, as `Cgroup.dirs` (or a sandbox's saved state) lists them. */
export function cgroupRanOutOfMemory(dirs: readonly string[]): boolean {
  const memory = dirs.find((dir) => dir.startsWith(MEMORY_ROOT));
  if (memory === undefined) return false;
  const kills = readCount(join(memory, 'memory.oom_control'), 'oom_kill');
  if (kills !== undefined) return kills > 0;
  return (readCount(join(memory, 'memory.failcnt')) ?? 0) > 0;
}
