// Shutdown must leave no process of the kernel behind, including what student code started and
// detached. Every process the kernel starts inherits a marker in its environment; the real
// process table is searched for it before and after.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import {
  newMarker,
  holdPidNamespace,
  processesInNamespace,
  processesWithMarker,
  scratchDir,
} from '../support/kernel.js';

const LEAVE_BACKGROUND_PROCESSES = [
  'import subprocess, os, time',
  "subprocess.Popen(['sleep', '1000'])",
  // A daemon: fork, new session, fork again, parent exits; the grandchild is nobody's child.
  'if os.fork() == 0:',
  '    os.setsid()',
  '    if os.fork() == 0:',
  '        time.sleep(1000)',
  '    os._exit(0)',
  "subprocess.Popen(['sh', '-c', 'nohup sleep 1000 >/dev/null 2>&1 &'])",
  'time.sleep(0.5)',
].join('\n');

const CASES = [
  { sandbox: 'bwrap', cgroups: true, zygote: true },
  { sandbox: 'bwrap', cgroups: false, zygote: true },
  { sandbox: 'bwrap', cgroups: true, zygote: false },
  { sandbox: 'bwrap', cgroups: false, zygote: false },
  { sandbox: 'none', cgroups: true, zygote: false },
  { sandbox: 'none', cgroups: false, zygote: false },
] as const;

describe.each(CASES)(
  'shutting down a kernel (sandbox $sandbox, cgroups $cgroups, zygote $zygote)',
  ({ sandbox, cgroups, zygote }) => {
    it('stops the kernel and every process it started, and removes its runtime files', async () => {
      const work = scratchDir();
      const runtime = scratchDir();
      const marker = newMarker();
      const launcher = createKernelLauncher({
        sandbox,
        cgroups,
        zygote,
        runtimeRoot: runtime.path,
        log: { warn: () => undefined },
      });
      const session = await launcher.start({
        kernelName: 'python3',
        workingDirectory: work.path,
        env: marker.env,
        startupTimeoutMs: 90_000,
      });
      let namespace: { name: string; release: () => void } | null = null;
      try {
        const result = await session.execute(LEAVE_BACKGROUND_PROCESSES, { timeoutMs: 20_000 });
        expect(result.status).toBe('ok');
        // A sandboxed kernel has its own pid namespace, which also holds forks without the marker.
        namespace = sandbox === 'bwrap' ? holdPidNamespace(session.kernelPid) : null;
        const running = new Set([
          ...processesWithMarker(marker.value, session.kernelPid),
          ...(namespace ? processesInNamespace(namespace.name) : []),
        ]);
        // At least the kernel, sleep, the daemon and the nohup'd sleep (and the namespace's init).
        expect(running.size).toBeGreaterThanOrEqual(namespace ? 5 : 4);
        expect(running.has(session.kernelPid)).toBe(true);
        expect(existsSync(join(runtime.path, session.id))).toBe(true);
        if (cgroups)
          expect(existsSync(`/sys/fs/cgroup/pids/coursehub-kernels/kernel-${session.id}`)).toBe(true);
      } finally {
        await session.shutdown();
        await session.shutdown(); // twice is safe
      }
      expect(processesWithMarker(marker.value, session.kernelPid)).toEqual([]);
      if (namespace) expect(processesInNamespace(namespace.name)).toEqual([]);
      namespace?.release();
      expect(existsSync(join(runtime.path, session.id))).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/pids/coursehub-kernels/kernel-${session.id}`)).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/cpu/coursehub-kernel-${session.id}`)).toBe(false);
      work.remove();
      runtime.remove();
    });
  },
);
