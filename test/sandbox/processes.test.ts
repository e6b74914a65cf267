// Process handles of the sandboxes, without isolation (the 'none' sandbox, no cgroups): a detached
// process's exit status as Node reports it, and re-attaching to it from its saved state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NoSandbox } from '../../src/sandbox/no-sandbox.js';
import type { SandboxRequest } from '../../src/sandbox/sandbox.js';
import { USER_SERVER_VIEW } from '../../src/sandbox/system-view.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-sandbox-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sandbox = new NoSandbox({ cgroups: null });

function detached(command: string[]): SandboxRequest {
  return {
    name: 'test',
    command,
    view: { system: USER_SERVER_VIEW, writable: [dir], hidden: [] },
    network: 'host',
    limits: { memoryBytes: 0, cpus: 0, maxProcesses: 0, rlimits: {}, rlimitsWithoutCgroup: {} },
    env: { PATH: '/usr/bin:/bin' },
    workingDirectory: dir,
    lifetime: { kind: 'detached', logFile: join(dir, 'log') },
  };
}

describe('sandboxed processes', () => {
  it('a detached process is gone as soon as /proc says so; wait() then gives its status', async () => {
    const running = await sandbox.start(detached(['/bin/sh', '-c', 'exit 3']));
    // Blocking, so Node cannot handle the exit meanwhile: /proc shows a zombie first.
    while (running.alive);
    expect(running.exitCode).toBeNull();
    expect(await running.wait(5_000)).toBe(true);
    expect(running.exitCode).toBe(3);
  });

  it('is found again from its state, and stop() ends it', async () => {
    const started = await sandbox.start(detached(['/bin/sleep', '600']));
    const attached = sandbox.attach(JSON.parse(JSON.stringify(started.state())));
    expect(attached.pid).toBe(started.pid);
    expect(attached.alive).toBe(true);
    expect(attached.exitCode).toBeNull();
    await attached.stop(2_000);
    expect(attached.alive).toBe(false);
    expect(await started.wait(5_000)).toBe(true);
    expect(started.exitCode).toBe(128 + 15); // SIGTERM
    // A re-attached process whose pid now names another (or no) process is left alone.
    const stale = sandbox.attach({ ...started.state(), startTime: '1' });
    expect(stale.alive).toBe(false);
  });
});
