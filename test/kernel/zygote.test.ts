// The kernel zygote (src/kernel/zygote/): kernels forked from one template process are still
// separate fresh kernels; a dead zygote is replaced; an idle zygote does not keep the grader alive.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { isRoot, scratchDir, streamText } from '../support/kernel.js';

const launcher = createKernelLauncher({ sandbox: 'bwrap', log: { warn: () => undefined } });
const work = scratchDir();
afterAll(async () => {
  await launcher.close();
  work.remove();
});

const start = () =>
  launcher.start({ kernelName: 'python3', workingDirectory: work.path, env: {}, startupTimeoutMs: 90_000 });

/** Waits until `pid` is gone or a zombie; fails the test if it is still running after `ms`. */
async function waitForExit(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const running = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    } catch {
      return false;
    }
  };
  while (running()) {
    if (Date.now() > deadline)
      throw new Error(`process ${pid} still runs ${ms} ms after its zygote was killed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe.runIf(isRoot)('kernels forked from the zygote', () => {
  it('share nothing: not variables, not random state', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    try {
      expect(a.isolation).toMatch(/forked from the zygote/);
      await a.execute('secret = 42', { timeoutMs: 20_000 });
      const seen = await b.execute("print('secret' in globals())", { timeoutMs: 20_000 });
      expect(streamText(seen.outputs)).toBe('False\n');
      const draws = await Promise.all(
        [a, b].map((k) => k.execute('import random; print(random.random())', { timeoutMs: 20_000 })),
      );
      expect(streamText(draws[0]!.outputs)).not.toBe(streamText(draws[1]!.outputs));
    } finally {
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
  });

  it('a killed zygote takes its kernels along, and the next start gets a new zygote', async () => {
    const first = await start();
    const zygote = parentOf(parentOf(parentOf(first.kernelPid)));
    expect(readFileSync(`/proc/${zygote}/cmdline`, 'utf8')).toContain('/zygote.py');
    process.kill(zygote, 'SIGKILL');
    // Its kernels die by PDEATHSIG, one link of the chain at a time, a moment after the zygote:
    // until then the kernel may still answer a cell. Wait for the kernel process itself to go.
    await waitForExit(first.kernelPid, 20_000);
    const after = await first.execute('print(1)', { timeoutMs: 20_000 });
    expect(after.status).toBe('dead');
    await first.shutdown();
    const second = await start();
    try {
      const result = await second.execute('print(6 * 7)', { timeoutMs: 20_000 });
      expect(streamText(result.outputs)).toBe('42\n');
      expect(parentOf(parentOf(parentOf(second.kernelPid)))).not.toBe(zygote);
    } finally {
      await second.shutdown();
    }
  });

  it('an idle zygote does not keep the grader process from exiting', () => {
    const script = [
      "import { createKernelLauncher } from './src/kernel/index.js';",
      "const launcher = createKernelLauncher({ sandbox: 'bwrap', log: { warn: () => undefined } });",
      `const s = await launcher.start({ kernelName: 'python3', workingDirectory: ${JSON.stringify(work.path)}, env: {}, startupTimeoutMs: 90000 });`,
      "const r = await s.execute('print(1+1)', { timeoutMs: 20000 });",
      'await s.shutdown();',
      "console.log('done', JSON.stringify(r.outputs));",
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.error).toBeUndefined(); // a timeout would mean the zygote held the event loop
    expect(run.stdout).toContain('done [{"output_type":"stream","name":"stdout","text":"2\\n"}]');
    expect(run.status).toBe(0);
  });
});
