// Several grading kernels at once: each its own runtime directory, sockets and cgroup, none able
// to see another's working copy, all gone after shutdown.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKernelLauncher } from '../../src/kernel/index.js';
import { isRoot, newMarker, processesWithMarker, scratchDir, streamText } from '../support/kernel.js';

describe('kernels started side by side', () => {
  it('are isolated from each other and all stop cleanly', async () => {
    const launcher = createKernelLauncher({ sandbox: 'bwrap', log: { warn: () => undefined } });
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
        expect(readFileSync(join(students[index]!.work.path, 'who.txt'), 'utf8')).toBe(students[index]!.name);
      }
      if (isRoot)
        for (const session of sessions)
          expect(existsSync(`/sys/fs/cgroup/memory/coursehub-kernels/kernel-${session.id}`)).toBe(true);
    } finally {
      await Promise.all(sessions.map((s) => s.shutdown()));
    }
    for (const student of students) {
      expect(processesWithMarker(student.marker.value)).toEqual([]);
      student.work.remove();
    }
  });
});
