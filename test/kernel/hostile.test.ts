// Hostile student code in the grading sandbox (bwrap, grader account, cgroup limits). Each case
// must be contained and reported (error, timeout or dead) while this test process is unharmed.
// Run twice: kernels forked by the zygote (the default as root) and kernels started by bwrap.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernelLauncher, type JupyterKernelSession } from '../../src/kernel/index.js';
import type { JupyterKernelLauncher } from '../../src/kernel/launcher.js';
import { docker, DOCKER_SETUP_TIMEOUT_MS, dockerTestImage } from '../docker/support/docker-env.js';
import { GRADER_ACCOUNT } from '../../src/sandbox/account-names.js';
import { retainedBytes } from './retained-memory.js';
import {
  isRoot,
  newMarker,
  holdPidNamespace,
  processesInNamespace,
  processesWithMarker,
  scratchDir,
  streamText,
} from '../support/kernel.js';

/** Whether `pid` is a live process (not gone, not a zombie). */
function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

// And a third time in throwaway Docker containers of the test image (the Docker spawner's
// grading, issue 13 item 3), against a real dockerd (test/docker/support/docker-env.ts).
const SANDBOXES = [
  { sandbox: 'bwrap', zygote: true },
  { sandbox: 'bwrap', zygote: false },
  { sandbox: 'container', zygote: false },
] as const;

describe.each(SANDBOXES)('grading kernels ($sandbox, zygote: $zygote)', ({ sandbox, zygote }) => {
  const quiet = { warn: () => undefined };
  let launcher: JupyterKernelLauncher;

  // A course laid out as a grader would have it: two students' copies and the hub's data side by side.
  const root = scratchDir();
  const bob = join(root.path, 'students', 'bob');
  const alice = join(root.path, 'students', 'alice');
  const hubData = join(root.path, 'hub-data');
  const marker = newMarker();
  let session: JupyterKernelSession;
  let server: Server;
  let serverPort = 0;
  let connectionsSeen = 0;

  beforeAll(async () => {
    launcher = createKernelLauncher({
      sandbox,
      zygote,
      log: quiet,
      limits: { memoryBytes: 512 * 1024 ** 2, maxProcesses: 64, maxOutputBytes: 2 * 1024 ** 2 },
      ...(sandbox === 'container' ? { container: { docker, image: await dockerTestImage() } } : {}),
    });
    mkdirSync(bob, { recursive: true });
    mkdirSync(alice, { recursive: true });
    mkdirSync(hubData, { recursive: true });
    writeFileSync(join(alice, 'answers.py'), 'SECRET_ALICE = 1\n');
    writeFileSync(join(hubData, 'gradebook.db'), 'SECRET GRADEBOOK');
    server = createServer((socket) => {
      connectionsSeen += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverPort = (server.address() as { port: number }).port;
    session = await launcher.start({
      kernelName: 'python3',
      workingDirectory: bob,
      env: marker.env,
      startupTimeoutMs: 90_000,
    });
  }, DOCKER_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await session?.shutdown();
    await new Promise((resolve) => server?.close(resolve));
    root.remove();
  });

  async function run(code: string, timeoutMs = 20_000) {
    return session.execute(code, { timeoutMs });
  }

  function errorName(outputs: Array<{ output_type: string; ename?: unknown }>): unknown {
    return outputs.find((o) => o.output_type === 'error')?.ename;
  }

  describe('hostile code in the sandbox', () => {
    it('cannot connect to a server on 127.0.0.1', async () => {
      const result = await run(
        `import socket\ns = socket.create_connection(("127.0.0.1", ${serverPort}), timeout=3)\nprint("connected")`,
      );
      expect(result.status).toBe('error');
      expect(streamText(result.outputs)).not.toContain('connected');
      expect(errorName(result.outputs)).toMatch(/ConnectionRefusedError|OSError|TimeoutError/);
      expect(connectionsSeen).toBe(0);
    });

    it('cannot read /etc/shadow', async () => {
      const result = await run('print(open("/etc/shadow").read())');
      expect(result.status).toBe('error');
      expect(errorName(result.outputs)).toBe('PermissionError');
    });

    it("cannot see another student's work", async () => {
      for (const path of [join(alice, 'answers.py'), '../alice/answers.py']) {
        const result = await run(`print(open(${JSON.stringify(path)}).read())`);
        expect(result.status).toBe('error');
        expect(errorName(result.outputs)).toBe('FileNotFoundError');
      }
      const listing = await run(`import os\nprint(os.listdir(".."))`);
      expect(streamText(listing.outputs)).not.toContain('alice');
    });

    it("cannot read the hub's data or home", async () => {
      // (A container's /var/lib is its image's own, not the host's: listed below.)
      const paths = [
        join(hubData, 'gradebook.db'),
        '/root/.bashrc',
        ...(sandbox === 'container' ? [] : ['/var/lib']),
      ];
      for (const path of paths) {
        const result = await run(
          `import os\nprint(os.listdir(${JSON.stringify(path)}) if os.path.isdir(${JSON.stringify(path)}) else open(${JSON.stringify(path)}).read())`,
        );
        expect(result.status).toBe('error');
        expect(streamText(result.outputs)).not.toContain('SECRET');
      }
      if (sandbox === 'container') {
        const image = await run(`import os\nprint(sorted(os.listdir("/var/lib")))`);
        expect(streamText(image.outputs)).not.toMatch(/docker|postgresql|coursehub/);
      }
    });

    it('writes only its working directory', async () => {
      const result = await run(
        [
          'import os',
          'open("ok.txt", "w").write("fine")',
          'for path in ["/usr/evil", "/etc/evil", "../evil", "' + join(root.path, 'evil') + '"]:',
          '    try:',
          '        open(path, "w").write("x")',
          '        print("WROTE", path)',
          '    except OSError as e:',
          '        print("refused", path, type(e).__name__)',
          'open("/tmp/scratch", "w").write("private tmp")',
        ].join('\n'),
      );
      expect(result.status).toBe('ok');
      expect(existsSync(join(bob, 'ok.txt'))).toBe(true);
      const text = streamText(result.outputs);
      // Read-only system dirs refuse; the parents of the working directory are root's, inside.
      expect(text.match(/refused/g)).toHaveLength(4);
      expect(text).not.toContain('WROTE');
      expect(existsSync(join(root.path, 'students', 'evil'))).toBe(false);
      expect(existsSync(join(root.path, 'evil'))).toBe(false);
      expect(readdirSync(root.path).sort()).toEqual(['hub-data', 'students']);
    });

    it('has no capabilities, cannot gain any, and sees only its own processes and folders', async () => {
      const result = await run(
        [
          'import os',
          'status = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)',
          'print(status["CapEff"], status["CapBnd"], status["NoNewPrivs"], os.getuid())',
          'print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:2])',
          'print("/.host" in open("/proc/self/mountinfo").read(), os.path.isdir("/.host") and os.listdir("/.host"))',
        ].join('\n'),
      );
      expect(result.status).toBe('ok');
      const [caps, pids, host] = streamText(result.outputs).trim().split('\n');
      expect(caps).toMatch(/^0{16} 0{16} 1 [1-9]\d*$/);
      // The namespace's init and the kernel (in a container, the kernel is its init): nothing of the host.
      expect(pids).toBe(sandbox === 'container' ? '[1]' : '[1, 2]');
      expect(host).toMatch(/^False (False|\[\])$/);
    });

    it('cannot signal a process outside its sandbox, not even one of its own account, nor kill its parent', async () => {
      // A process of the kernel's own account on the host (the grader account as root): without
      // its own pid namespace the kernel could kill it, as it could any other grading kernel.
      const sentinel = spawn(
        isRoot ? 'setpriv' : 'sleep',
        isRoot
          ? [`--reuid=${GRADER_ACCOUNT}`, `--regid=${GRADER_ACCOUNT}`, '--clear-groups', 'sleep', '600']
          : ['600'],
        { stdio: 'ignore' },
      );
      try {
        const result = await run(
          [
            'import os, signal',
            `for pid in (${sentinel.pid}, os.getppid()):`,
            '    try:',
            '        os.kill(pid, signal.SIGKILL)',
            '        print("sent", pid == os.getppid())',
            '    except OSError as error:',
            '        print("refused", type(error).__name__)',
          ].join('\n'),
          10_000,
        );
        expect(result.status).toBe('ok');
        expect(streamText(result.outputs)).toMatch(/^refused ProcessLookupError\n/);
        expect(isLive(sentinel.pid!)).toBe(true);
        // Its parent is the sandbox's init: the kernel says it sent the signal, and init ignores it.
        expect((await run('6*7')).outputs[0]).toMatchObject({ data: { 'text/plain': '42' } });
      } finally {
        sentinel.kill('SIGKILL');
      }
    });

    it('times out sleeping forever, and the kernel goes on', async () => {
      const result = await run('import time\nwhile True:\n    time.sleep(1)', 2000);
      expect(result.status).toBe('timeout');
      expect((await run('1+1')).status).toBe('ok');
    });

    it.each([
      ['in many prints', 'for i in range(1000):\n    print("x" * 100_000)'],
      ['in one print', 'print("y" * 100_000_000)'],
      ['in a million short lines', 'for i in range(1_000_000):\n    print("z" * 99)'],
    ])('has 100 MB of printing %s cut short, bounded in the grader', async (_how, code) => {
      const before = retainedBytes();
      const result = await run(code, 60_000);
      expect(result.status).toBe('ok');
      const kept = streamText(result.outputs, 'stdout').length + streamText(result.outputs, 'stderr').length;
      expect(result.outputs.every((o) => o.output_type === 'stream')).toBe(true);
      expect(kept).toBeLessThanOrEqual(2 * 1024 ** 2 + 200);
      expect(streamText(result.outputs, 'stderr')).toMatch(/output (truncated|dropped)/);
      // What the grader holds once the cell is over (live JavaScript objects and buffers, after a
      // full collection), not the process's RSS, which keeps the peak of freed garbage and
      // allocator slack: the 2 MB kept and some slack, never the 100 MB printed (a grader that
      // kept every message, or every line, would hold 100 MB or more here).
      expect(retainedBytes() - before).toBeLessThan(32 * 1024 ** 2);
      expect((await run('print("after")')).outputs).toEqual([
        { output_type: 'stream', name: 'stdout', text: 'after\n' },
      ]);
    });

    it('may leave a background process running after the cell (cleaned up at shutdown, below)', async () => {
      const result = await run("import subprocess\nsubprocess.Popen(['sleep', '1000'])\nprint('started')");
      expect(result.status).toBe('ok');
      expect(processesWithMarker(marker.value, session.kernelPid).length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('hostile code that takes the kernel down', () => {
    async function fresh() {
      const work = scratchDir();
      const own = newMarker();
      const kernel = await launcher.start({
        kernelName: 'python3',
        workingDirectory: work.path,
        env: own.env,
        startupTimeoutMs: 90_000,
      });
      return { kernel, marker: own, done: async () => (await kernel.shutdown(), work.remove()) };
    }

    it('a fork bomb is stopped by the process limit and cleaned up', async () => {
      const { kernel, marker: own, done } = await fresh();
      // The forks carry no marker when the kernel was forked itself; its namespace holds them all.
      const namespace = holdPidNamespace(kernel.kernelPid);
      try {
        const result = await kernel.execute('import os\nwhile True:\n    os.fork()', { timeoutMs: 10_000 });
        expect(['error', 'timeout', 'dead']).toContain(result.status);
        expect(processesInNamespace(namespace.name).length).toBeLessThanOrEqual(64);
      } finally {
        await done();
      }
      expect(processesWithMarker(own.value, kernel.kernelPid)).toEqual([]);
      expect(processesInNamespace(namespace.name)).toEqual([]);
      namespace.release();
    });

    it('allocating 10 GB fails without harming the machine', async () => {
      const { kernel, done } = await fresh();
      try {
        const result = await kernel.execute('x = b"x" * (10 * 1024**3)\nprint("allocated")', {
          timeoutMs: 60_000,
        });
        expect(['error', 'dead']).toContain(result.status);
        if (result.status === 'error') expect(errorName(result.outputs)).toBe('MemoryError');
        expect(streamText(result.outputs)).not.toContain('allocated');
      } finally {
        await done();
      }
    });

    it('a background process outlives the cell but not the shutdown', async () => {
      // covered for the shared kernel above; here the proof after shutdown:
      const { kernel, marker: own, done } = await fresh();
      await kernel.execute(
        "import subprocess, os\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)",
        {
          timeoutMs: 20_000,
        },
      );
      expect(processesWithMarker(own.value, kernel.kernelPid).length).toBeGreaterThanOrEqual(2);
      await done();
      expect(processesWithMarker(own.value, kernel.kernelPid)).toEqual([]);
    });
  });
});
