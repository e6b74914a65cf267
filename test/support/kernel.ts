/**
 * Helpers for tests that run real kernels: scratch directories, and finding every process a
 * kernel started by a marker in its environment (inherited by everything it forks or spawns,
 * inside the sandbox too), so "no process left behind" is checked against the real process table.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** Pids of live processes whose environment carries the marker. */
export function processesWithMarker(marker: string): number[] {
  const needle = `COURSEHUB_TEST_MARKER=${marker}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (!environ.split('\0').includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // A zombie has exited already; only its parent's reaping is pending.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push(Number(entry));
    } catch {
      /* exited while we looked */
    }
  }
  return found;
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
