// The sandbox when the hub is not root: bwrap in a user namespace, rlimits instead of cgroups.
// The launcher runs in a child process as the unprivileged `nobody` account.
import { execFile } from 'node:child_process';
import { chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, newMarker, processesWithMarker, scratchDir } from '../support/kernel.js';

const NOBODY = 65534;
const work = scratchDir();
afterAll(() => work.remove());

describe.runIf(isRoot)('grading as a hub that is not root', () => {
  it(
    'still sandboxes the kernel, with rlimits, and leaves nothing behind',
    { timeout: 240_000 },
    async () => {
      chownSync(work.path, NOBODY, NOBODY);
      const marker = newMarker();
      let connections = 0;
      const server = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      try {
        const { stdout } = await promisify(execFile)(
          'setpriv',
          [
            `--reuid=${NOBODY}`,
            `--regid=${NOBODY}`,
            '--clear-groups',
            '--',
            process.execPath,
            '--import',
            'tsx',
            join(import.meta.dirname, 'unprivileged-child.ts'),
            work.path,
            marker.value,
            String(port),
          ],
          {
            cwd: join(import.meta.dirname, '..', '..'),
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work.path },
            timeout: 200_000,
          },
        );
        const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
        expect(report.isolation).toMatch(/^bwrap .*rlimits/);
        expect(report.isolation).not.toMatch(/cgroup v1/);
        expect(report.sum.outputs[0].data['text/plain']).toBe('2');
        expect(report.timeout.status).toBe('timeout');
        expect(report.afterTimeout.outputs[0].data['text/plain']).toBe('4');
        expect(report.network.status).toBe('error');
        expect(report.shadow.outputs[0].ename).toBe('PermissionError');
        expect(report.memory.status === 'dead' || report.memory.outputs[0]?.ename === 'MemoryError').toBe(
          true,
        );
        expect(['error', 'timeout', 'dead']).toContain(report.forkBomb.status);
        expect(report.background.status).toBe('ok');
        expect(connections).toBe(0);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect(processesWithMarker(marker.value)).toEqual([]);
    },
  );
});
