/**
 * Kernel start benchmark (`npm run bench:kernel-start`, as root): start-to-ready of a grading
 * kernel in the full sandbox (bwrap + coursehub-grader + cgroups) against the same kernel with no
 * sandbox and no cgroups (the baseline: what nbclient does), interleaved so both see the same
 * machine load. Also a trivial cell's round trip (mean of 50 on the warm kernel) and shutdown time. Last line: the ratio of medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernelLauncher, type KernelLauncherOptions } from '../src/kernel/index.js';

const RUNS = Number(process.env.RUNS ?? 8);
const quiet = { warn: () => undefined };
const modes: Record<string, KernelLauncherOptions> = {
  baseline: { sandbox: 'none', cgroups: false, log: quiet },
  sandboxed: { sandbox: 'bwrap', log: quiet },
};

type Sample = { startMs: number; cellMs: number; shutdownMs: number };
const samples: Record<string, Sample[]> = { baseline: [], sandboxed: [] };

async function once(options: KernelLauncherOptions): Promise<Sample> {
  const work = mkdtempSync(join(tmpdir(), 'coursehub-bench-kernel-'));
  try {
    const t0 = performance.now();
    const session = await createKernelLauncher(options).start({
      kernelName: 'python3',
      workingDirectory: work,
      env: {},
      startupTimeoutMs: 120_000,
    });
    const t1 = performance.now();
    const CELLS = 50;
    for (let cell = 0; cell < CELLS; cell += 1) {
      const result = await session.execute('1+1', { timeoutMs: 30_000 });
      if (result.status !== 'ok') throw new Error(`cell failed: ${JSON.stringify(result)}`);
    }
    const t2 = performance.now();
    await session.shutdown();
    const t3 = performance.now();
    return { startMs: t1 - t0, cellMs: (t2 - t1) / CELLS, shutdownMs: t3 - t2 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

for (let run = 0; run < RUNS; run += 1) {
  for (const [name, options] of Object.entries(modes)) samples[name]!.push(await once(options));
}
for (const [name, list] of Object.entries(samples)) {
  const row = (key: keyof Sample) => median(list.map((s) => s[key])).toFixed(1);
  console.log(
    `${name.padEnd(10)} start ${row('startMs')} ms, 1+1 ${row('cellMs')} ms, shutdown ${row('shutdownMs')} ms (median of ${RUNS})`,
  );
}
const ratio =
  median(samples.sandboxed!.map((s) => s.startMs)) / median(samples.baseline!.map((s) => s.startMs));
console.log(`sandboxed/baseline kernel start time: ${ratio.toFixed(2)}x`);
