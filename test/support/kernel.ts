/**
 * Helpers for tests that run real kernels: scratch directories, and finding every process a
 * kernel started by a marker in its environment (inherited by everything it forks or spawns,
 * inside the sandbox too), so "no process left behind" is checked against the real process table.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDir(prefix = 'coursehub-kernel-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function newMarker(): { name: string; value: string; env: Record<string, string> } {
  const value = randomUUID();
  return { name: 'COURSEHUB_TEST_MARKER', value, env: { COURSEHUB_TEST_MARKER: value } };
}

/**
 * Pids of live processes whose environment carries the marker, plus `kernelPid` while it lives.
 * A kernel forked by the zygote (src/kernel/zygote/) does not show the marker itself: /proc's
 * environ is what a process was exec'd with, and a fork is not exec'd. What it starts does.
 */
export function processesWithMarker(marker: string, kernelPid?: number): number[] {
  const needle = `COURSEHUB_TEST_MARKER=${marker}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (!environ.split('\0').includes(needle)) continue;
      if (isZombie(Number(entry))) continue;
      found.push(Number(entry));
    } catch {
      /* exited while we looked */
    }
  }
  if (kernelPid !== undefined && !found.includes(kernelPid) && isLive(kernelPid)) found.push(kernelPid);
  return found;
}

// A zombie has exited already; only its parent's reaping is pending.
function isZombie(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

function isLive(pid: number): boolean {
  try {
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** Text of all stream outputs of one name. */
export function streamText(
  outputs: Array<{ output_type: string; name?: unknown; text?: unknown }>,
  name = 'stdout',
): string {
  return outputs
    .filter((o) => o.output_type === 'stream' && o.name === name)
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : String(o.text)))
    .join('');
}

export const isRoot = process.getuid?.() === 0;

/**
 * The pid namespace a process lives in (e.g. `pid:[4026532712]`), held open until `release()`:
 * a dead namespace's id is soon reused by a new one (another test's kernel), so checking "nothing
 * left in it" after a shutdown is only sound while it is held.
 */
export function holdPidNamespace(pid: number): { name: string; release: () => void } {
  const fd = openSync(`/proc/${pid}/ns/pid`, 'r');
  return { name: readlinkSync(`/proc/self/fd/${fd}`), release: () => closeSync(fd) };
}

function pidNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/**
 * Live processes in a pid namespace: for a sandboxed kernel, everything it and its init started,
 * including forks that carry no marker.
 */
export function processesInNamespace(namespace: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (pidNamespaceOf(Number(entry)) === namespace && isLive(Number(entry))) found.push(Number(entry));
  }
  return found;
}
