// Several grading kernels at once: each its own runtime directory, sockets and cgroup, none able
// to see another's working copy, all gone after shutdown.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { isRoot, newMarker, processesWithMarker, scratchDir, streamText } from '../support/kernel.js';

describe.each([{ zygote: true }, { zygote: false }])(
  'kernels started side by side (zygote: $zygote)',
  ({ zygote }) => {
    it('are isolated from each other and all stop cleanly', async () => {
      const launcher = createKernelLauncher({ sandbox: 'bwrap', zygote, log: { warn: () => undefined } });
      const students = ['ann', 'ben', 'cat'].map((name) => ({
        name,
        work: scratchDir(`coursehub-${name}-`),
        marker: newMarker(),
      }));
      const sessions = await Promise.all(
        students.map((s) =>
          launcher.start({
            kernelName: 'python3',
            workingDirectory: s.work.path,
            env: s.marker.env,
            startupTimeoutMs: 90_000,
          }),
        ),
      );
      try {
        expect(new Set(sessions.map((s) => s.id)).size).toBe(3);
        const results = await Promise.all(
          sessions.map((session, index) => {
            const others = students.filter((_, i) => i !== index).map((s) => s.work.path);
            return session.execute(
              [
                'import os',
                `open("who.txt", "w").write(${JSON.stringify(students[index]!.name)})`,
                `print(sorted(p for p in ${JSON.stringify(others)} if os.path.exists(p)))`,
              ].join('\n'),
              { timeoutMs: 20_000 },
            );
          }),
        );
        for (const [index, result] of results.entries()) {
          expect(result.status).toBe('ok');
          expect(streamText(result.outputs)).toBe('[]\n');
          expect(readFileSync(join(students[index]!.work.path, 'who.txt'), 'utf8')).toBe(
            students[index]!.name,
          );
        }
        // All kernels run as the same grader account: one that signals every process it may
        // (kill -1) must still not reach the others, each in its own pid namespace.
        const killer = await sessions[0]!.execute('import os, signal\nos.kill(-1, signal.SIGKILL)', {
          timeoutMs: 20_000,
        });
        expect(['ok', 'error', 'dead']).toContain(killer.status);
        for (const session of sessions.slice(1)) {
          const alive = await session.execute('print(6 * 7)', { timeoutMs: 20_000 });
          expect(streamText(alive.outputs)).toBe('42\n');
        }
        if (isRoot)
          for (const session of sessions)
            expect(existsSync(`/sys/fs/cgroup/memory/coursehub-kernels/kernel-${session.id}`)).toBe(true);
      } finally {
        await Promise.all(sessions.map((s) => s.shutdown()));
      }
      for (const [index, student] of students.entries()) {
        expect(processesWithMarker(student.marker.value, sessions[index]!.kernelPid)).toEqual([]);
        student.work.remove();
      }
    });
  },
);
