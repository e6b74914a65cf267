// kill -9 of the grader in the middle of a run: its sandboxed kernels, and what they started, die
// with it (bwrap --die-with-parent ends the kernel's pid namespace), so a rerun starts clean.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newMarker, processesWithMarker, scratchDir } from '../support/kernel.js';

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('a grader killed with SIGKILL', () => {
  it(
    'takes its sandboxed kernel and the kernel’s background processes with it',
    { timeout: 180_000 },
    async () => {
      const work = scratchDir();
      const marker = newMarker();
      const grader = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'grader-child.ts'), 'bwrap', work.path, marker.value],
        { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        let output = '';
        grader.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        expect(await waitFor(() => output.includes('ready'), 120_000)).toBe(true);
        expect(output).toContain('ready ok');
        const kernelPid = Number(/ready ok (\d+)/.exec(output)![1]);
        expect(processesWithMarker(marker.value, kernelPid).length).toBeGreaterThanOrEqual(2);
        // kernel -> its namespace's init -> holder -> the zygote, which must die too.
        const zygote = parentOf(parentOf(parentOf(kernelPid)));
        expect(readFileSync(`/proc/${zygote}/cmdline`, 'utf8')).toContain('/zygote.py');
        grader.kill('SIGKILL');
        expect(await waitFor(() => processesWithMarker(marker.value, kernelPid).length === 0, 10_000)).toBe(
          true,
        );
        expect(await waitFor(() => !existsSync(`/proc/${zygote}`), 10_000)).toBe(true);
      } finally {
        grader.kill('SIGKILL');
        work.remove();
      }
    },
  );
});
