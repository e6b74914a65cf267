/** Reading the host's process tree from /proc (Linux only, like the sandbox). */
import { readFileSync } from 'node:fs';

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
