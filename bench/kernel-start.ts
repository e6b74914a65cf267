/**
 * Kernel start benchmark (`npm run bench:kernel-start`, as root): start-to-ready of a grading
 * kernel in the full sandbox (coursehub-grader + cgroups), forked from the zygote ("forked", the
 * default) and started by bwrap per kernel ("sandboxed"), against the same kernel with no sandbox
 * and no cgroups (the baseline: what nbclient does), interleaved so all see the same machine load.
 * One launcher per mode for the whole run, as in a grading run: the forked mode's first start
 * includes starting the zygote. Also a trivial cell's round trip (mean of 50 on the warm kernel) and shutdown time. Last line: the ratio of medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKernelLauncher,
  type JupyterKernelLauncher,
  type KernelLauncherOptions,
} from '../src/kernel/index.js';

const RUNS = Number(process.env.RUNS ?? 8);
const quiet = { warn: () => undefined };
const modes: Record<string, KernelLauncherOptions> = {
  baseline: { sandbox: 'none', cgroups: false, log: quiet },
  sandboxed: { sandbox: 'bwrap', zygote: false, log: quiet },
  forked: { sandbox: 'bwrap', log: quiet },
};
const launchers = Object.fromEntries(
  Object.entries(modes).map(([name, options]) => [name, createKernelLauncher(options)]),
);

type Sample = { startMs: number; cellMs: number; shutdownMs: number };
const samples: Record<string, Sample[]> = { baseline: [], sandboxed: [], forked: [] };

async function once(launcher: JupyterKernelLauncher): Promise<Sample> {
  const work = mkdtempSync(join(tmpdir(), 'coursehub-bench-kernel-'));
  try {
    const t0 = performance.now();
    const session = await launcher.start({
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
  for (const [name, launcher] of Object.entries(launchers)) samples[name]!.push(await once(launcher));
}
for (const [name, list] of Object.entries(samples)) {
  const row = (key: keyof Sample) => median(list.map((s) => s[key])).toFixed(1);
  console.log(
    `${name.padEnd(10)} start ${row('startMs')} ms, 1+1 ${row('cellMs')} ms, shutdown ${row('shutdownMs')} ms (median of ${RUNS})`,
  );
}
for (const launcher of Object.values(launchers)) await launcher.close();
const startOf = (name: string) => median(samples[name]!.map((s) => s.startMs));
console.log(
  `sandboxed (bwrap per kernel)/baseline kernel start time: ${(startOf('sandboxed') / startOf('baseline')).toFixed(2)}x`,
);
console.log(
  `forked (zygote, the default)/baseline kernel start time: ${(startOf('forked') / startOf('baseline')).toFixed(2)}x`,
);
