// Kernels that stop answering: never waited on forever.
import { describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { newMarker, processesWithMarker, scratchDir } from '../support/kernel.js';

const launcher = createKernelLauncher({
  sandbox: 'bwrap',
  log: { warn: () => undefined },
  timings: { heartbeatTimeoutMs: 3000, interruptGraceMs: 2000 },
});

async function fresh() {
  const work = scratchDir();
  const marker = newMarker();
  const session = await launcher.start({
    kernelName: 'python3',
    workingDirectory: work.path,
    env: marker.env,
    startupTimeoutMs: 90_000,
  });
  return { session, marker, work };
}

describe('an unresponsive kernel', () => {
  it('that ignores the interrupt is killed after the grace period; the cell is a timeout, the next dead', async () => {
    const { session, marker, work } = await fresh();
    try {
      const result = await session.execute(
        'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass',
        { timeoutMs: 1500 },
      );
      expect(result.status).toBe('timeout');
      expect((await session.execute('1+1', { timeoutMs: 5000 })).status).toBe('dead');
    } finally {
      await session.shutdown();
      work.remove();
    }
    expect(processesWithMarker(marker.value)).toEqual([]);
  });

  it('whose heartbeat stops (process frozen) is reported dead, not waited on', async () => {
    const { session, work } = await fresh();
    try {
      process.kill(session.kernelPid, 'SIGSTOP');
      // The cell's own timeout is far away: only the silent heartbeat can end this.
      const outcome = await Promise.race([
        session.execute('1+1', { timeoutMs: 300_000 }),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 30_000)),
      ]);
      expect(outcome).toMatchObject({ status: 'dead' });
    } finally {
      await session.shutdown();
      work.remove();
    }
  });
});
