// Real ipykernel kernels, started by the launcher, in both sandbox modes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernelLauncher, type JupyterKernelSession } from '../../src/kernel/index.js';
import { scratchDir, streamText } from '../support/kernel.js';

describe.each(['bwrap', 'none'] as const)('a %s kernel', (sandbox) => {
  const work = scratchDir();
  let session: JupyterKernelSession;

  beforeAll(async () => {
    session = await createKernelLauncher({ sandbox, log: { warn: () => undefined } }).start({
      kernelName: 'python3',
      workingDirectory: work.path,
      env: { NBGRADER_EXECUTION: 'autograde' },
      startupTimeoutMs: 90_000,
    });
  });
  afterAll(async () => {
    await session?.shutdown();
    work.remove();
  });

  it('says what isolation applies', () => {
    if (sandbox === 'bwrap')
      expect(session.isolation).toMatch(/^bwrap.* \(no network, private \/tmp, read-only system/);
    else expect(session.isolation).toMatch(/NO SANDBOX/);
  });

  it('evaluates 1+1 to an execute_result of 2', async () => {
    const result = await session.execute('1+1', { timeoutMs: 10_000 });
    expect(result.status).toBe('ok');
    expect(result.outputs).toEqual([
      {
        output_type: 'execute_result',
        execution_count: result.executionCount,
        data: { 'text/plain': '2' },
        metadata: {},
      },
    ]);
    expect(result.executionCount).toBeGreaterThan(0);
  });

  it('collects stdout and stderr streams, merging consecutive prints', async () => {
    const result = await session.execute(
      'import sys\nprint("one")\nprint("two")\nprint("oops", file=sys.stderr)',
      { timeoutMs: 10_000 },
    );
    expect(result.status).toBe('ok');
    expect(result.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'one\ntwo\n' },
      { output_type: 'stream', name: 'stderr', text: 'oops\n' },
    ]);
  });

  it('passes the environment it was given', async () => {
    const result = await session.execute('import os; print(os.environ["NBGRADER_EXECUTION"])', {
      timeoutMs: 10_000,
    });
    expect(streamText(result.outputs)).toBe('autograde\n');
  });

  it('turns an exception into an error output with ename, evalue and traceback', async () => {
    const result = await session.execute('def f():\n    raise ValueError("bad value")\nf()', {
      timeoutMs: 10_000,
    });
    expect(result.status).toBe('error');
    expect(result.outputs).toHaveLength(1);
    const error = result.outputs[0]!;
    expect(error).toMatchObject({ output_type: 'error', ename: 'ValueError', evalue: 'bad value' });
    // eslint-disable-next-line no-control-regex -- IPython colours tracebacks with ANSI escapes
    const plain = (error as { traceback: string[] }).traceback.join('\n').replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toContain('raise ValueError("bad value")');
    expect(plain).toContain('ValueError: bad value');
    expect(result.errorReply).toMatchObject({ ename: 'ValueError', evalue: 'bad value' });
  });

  it('collects display_data and updates it by display_id', async () => {
    const result = await session.execute(
      'from IPython.display import display, HTML\n' +
        'h = display(HTML("<b>first</b>"), display_id=True)\n' +
        'h.update(HTML("<b>second</b>"))',
      { timeoutMs: 10_000 },
    );
    expect(result.status).toBe('ok');
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0]).toMatchObject({
      output_type: 'display_data',
      data: { 'text/html': '<b>second</b>' },
    });
  });

  it('honours clear_output(wait=True)', async () => {
    const result = await session.execute(
      'from IPython.display import clear_output\nprint("old")\nclear_output(wait=True)\nprint("new")',
      { timeoutMs: 10_000 },
    );
    expect(result.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'new\n' }]);
  });

  it('interrupts a cell that runs past its timeout and keeps the kernel for the next cell', async () => {
    const result = await session.execute('import time\nprint("started", flush=True)\ntime.sleep(60)', {
      timeoutMs: 1500,
    });
    expect(result.status).toBe('timeout');
    expect(streamText(result.outputs)).toBe('started\n');
    expect(result.outputs.at(-1)).toMatchObject({ output_type: 'error', ename: 'KeyboardInterrupt' });
    const next = await session.execute('40+2', { timeoutMs: 10_000 });
    expect(next.status).toBe('ok');
    expect(next.outputs[0]).toMatchObject({ data: { 'text/plain': '42' } });
  });

  it('reads a timeout of 0 or less as no timeout', async () => {
    const result = await session.execute('import time; time.sleep(0.5); 7', { timeoutMs: -1 });
    expect(result.status).toBe('ok');
    expect(result.outputs[0]).toMatchObject({ data: { 'text/plain': '7' } });
  });

  it('drops IOPub messages with a bad signature and counts them', async () => {
    // Student code forging a grader-visible output with a key that is not the connection's.
    const before = session.rejectedMessages;
    const result = await session.execute(
      'from jupyter_client.session import Session\n' +
        'k = get_ipython().kernel\n' +
        'Session(key=b"not-the-key").send(k.iopub_socket, "stream", {"name": "stdout", "text": "FORGED\\n"}, parent=k.get_parent())\n' +
        'import time; time.sleep(0.3)\n' +
        'print("real")',
      { timeoutMs: 10_000 },
    );
    expect(result.status).toBe('ok');
    expect(streamText(result.outputs)).toBe('real\n');
    expect(session.rejectedMessages).toBeGreaterThan(before);
  });
});

describe('a kernel killed from outside', () => {
  it('is reported dead quickly, and stays dead', async () => {
    const work = scratchDir();
    const session = await createKernelLauncher({ sandbox: 'bwrap', log: { warn: () => undefined } }).start({
      kernelName: 'python3',
      workingDirectory: work.path,
      env: {},
      startupTimeoutMs: 90_000,
    });
    try {
      const running = session.execute('import time; time.sleep(120)', { timeoutMs: 120_000 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      process.kill(session.kernelPid, 'SIGKILL');
      // The cell is waiting on a 120 s timeout; 'dead' must come from noticing the exit, well before.
      const outcome = await Promise.race([
        running,
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 20_000)),
      ]);
      expect(outcome).toMatchObject({ status: 'dead' });
      expect((await session.execute('1', { timeoutMs: 5000 })).status).toBe('dead');
    } finally {
      await session.shutdown();
      work.remove();
    }
  });
});
