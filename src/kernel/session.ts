/**
 * One running kernel, as the grading layer sees it (KernelSession). Executes cells one at a time,
 * waits for both the shell reply and IOPub idle, interrupts on timeout, and notices death (the
 * process exits, or the heartbeat stays silent) instead of waiting forever.
 */
import { rm } from 'node:fs/promises';
import type { CellRunResult, KernelSession } from '../grading/execution.js';
import type { KernelChannels, KernelLogger } from './channels.js';
import { processesInPidNamespace, processesWithEnv, type HeldPidNamespace } from '../sandbox/process-tree.js';
import type { SandboxedProcess } from '../sandbox/sandbox.js';
import { OutputCollector, type DisplayIdMap } from './output-collector.js';
import type { JupyterMessage } from './wire.js';

export interface SessionTimings {
  /** After an interrupt, how long the kernel gets to reply before it is declared dead. */
  interruptGraceMs: number;
  /** After the shell reply, how long to wait for the IOPub idle that closes the outputs. */
  iopubGraceMs: number;
  /** Silence on the heartbeat channel longer than this means the kernel is dead. */
  heartbeatTimeoutMs: number;
  /** How long shutdown_request gets before signals are used. */
  shutdownGraceMs: number;
}

export const DEFAULT_TIMINGS: SessionTimings = {
  interruptGraceMs: 5000,
  iopubGraceMs: 4000,
  heartbeatTimeoutMs: 15_000,
  shutdownGraceMs: 2000,
};

export interface SessionParts {
  /** Unique per kernel; also in its environment as COURSEHUB_KERNEL_ID. */
  id: string;
  channels: KernelChannels;
  /** The kernel's sandbox, with its cgroup (if any). */
  process: SandboxedProcess;
  runtimeDir: string;
  isolation: string;
  interruptMode: 'signal' | 'message';
  /** The host pid that receives SIGINT (the kernel itself, not bwrap). */
  kernelPid: number;
  /** The kernel's own pid namespace when sandboxed, held until shutdown (null: it shares the grader's). */
  pidNamespace: HeldPidNamespace | null;
  maxOutputBytes: number;
  timings: SessionTimings;
  log: KernelLogger;
}

export const KERNEL_ID_VARIABLE = 'COURSEHUB_KERNEL_ID';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export class JupyterKernelSession implements KernelSession {
  readonly isolation: string;
  readonly id: string;
  private readonly displays: DisplayIdMap = new Map();
  private dead = false;
  private stopped: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: SessionParts) {
    this.isolation = parts.isolation;
    this.id = parts.id;
    void parts.process.exited.then(() => (this.dead = true));
  }

  /** Messages dropped for a bad signature (exposed for tests and logs). */
  get rejectedMessages(): number {
    return this.parts.channels.rejectedMessages;
  }

  /** The host pid of the kernel process (for tests that kill it from outside). */
  get kernelPid(): number {
    return this.parts.kernelPid;
  }

  execute(code: string, options: { timeoutMs: number }): Promise<CellRunResult> {
    // Cells run one after another even if a caller forgets to await.
    const run = this.queue.then(() => this.runCell(code, options.timeoutMs));
    this.queue = run.catch(() => undefined); // the caller gets the failure through `run`
    return run;
  }

  private isDead(): boolean {
    return (
      this.dead ||
      !this.parts.process.alive ||
      this.parts.channels.msSinceHeartbeat() > this.parts.timings.heartbeatTimeoutMs
    );
  }

  private async runCell(code: string, timeoutMs: number): Promise<CellRunResult> {
    const { channels, timings } = this.parts;
    const collector = new OutputCollector(this.displays, this.parts.maxOutputBytes);
    if (this.isDead()) return { outputs: [], executionCount: null, status: 'dead' };

    let idle = false;
    let reply: JupyterMessage | null = null;
    const request = channels.send('shell', 'execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    // Listeners run on later ticks, so none of this execution's messages can be missed here.
    const stopListening = channels.onIopub((message) => {
      if (message.parent_header.msg_id !== request.msgId) return;
      if (message.header.msg_type === 'status' && message.content.execution_state === 'idle') {
        idle = true;
        this.wake();
      } else collector.handle(message);
    });
    void request.reply.then((message) => {
      reply = message;
      this.wake();
    });
    const stopLossWatch = channels.onIopubLoss(() => {
      if (this.parts.process.alive) collector.noteLostOutput(channels.maxIopubMessageBytes);
    });

    try {
      // nbclient reads a timeout of None or -1 as "no timeout"; a caller passing <= 0 means that too.
      const limit = timeoutMs > 0 ? timeoutMs : Infinity;
      const outcome = await this.waitUntil(() => reply !== null, limit);
      if (outcome === 'ok') {
        // The reply can overtake the last outputs: wait for idle briefly, as nbclient's iopub_timeout.
        if (!idle) await this.waitUntil(() => idle, timings.iopubGraceMs);
        return this.result(collector, reply);
      }
      if (outcome === 'dead') return this.result(collector, reply, 'dead');

      this.parts.log.warn({ timeoutMs }, 'cell timed out; interrupting the kernel');
      await this.interrupt();
      const afterInterrupt = await this.waitUntil(() => reply !== null && idle, timings.interruptGraceMs);
      if (afterInterrupt !== 'ok' && !(await this.answersShell())) {
        // It would not stop and does not answer: kill it so the next cell gets a clear 'dead'
        // rather than a hang.
        this.dead = true;
        void this.shutdown();
      }
      return this.result(collector, reply, 'timeout');
    } finally {
      stopListening();
      stopLossWatch();
      channels.forget(request.msgId);
    }
  }

  private result(
    collector: OutputCollector,
    reply: JupyterMessage | null,
    forced?: 'dead' | 'timeout',
  ): CellRunResult {
    const count = reply?.content.execution_count;
    const executionCount = typeof count === 'number' ? count : collector.executionCount;
    const status = forced ?? (reply?.content.status === 'ok' ? 'ok' : 'error');
    const result: CellRunResult = { outputs: collector.outputs, executionCount, status };
    if (status === 'error' && reply) {
      const { ename, evalue, traceback } = reply.content;
      result.errorReply = {
        ename: String(ename ?? ''),
        evalue: String(evalue ?? ''),
        traceback: Array.isArray(traceback) ? traceback.map(String) : [],
      };
    }
    return result;
  }

  /** Resolves the current waiter: the reply or idle arrived. */
  private wake: () => void = () => undefined;

  /**
   * Waits until `condition` holds, the kernel dies, or `ms` pass. Woken at once by the reply, idle
   * or the process exiting; otherwise it looks again every 250 ms (for the heartbeat's verdict).
   */
  private async waitUntil(condition: () => boolean, ms: number): Promise<'ok' | 'timeout' | 'dead'> {
    const deadline = Date.now() + ms;
    while (true) {
      if (condition()) return 'ok';
      if (this.isDead()) return 'dead';
      if (Date.now() >= deadline) return 'timeout';
      const woken = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([
        woken,
        delay(Math.min(250, Math.max(1, deadline - Date.now()))),
        this.parts.process.exited,
      ]);
    }
  }

  /**
   * Whether the kernel still answers on shell. A cell can lose its reply without wedging the kernel
   * (e.g. student code that breaks IPython's error display makes ipykernel's handler raise); nbclient
   * then goes on with the same kernel, and so must we to grade later cells as nbgrader does.
   */
  private async answersShell(): Promise<boolean> {
    const probe = this.parts.channels.send('shell', 'kernel_info_request', {});
    try {
      let answered = false;
      void probe.reply.then(() => {
        answered = true;
        this.wake();
      });
      return (await this.waitUntil(() => answered, this.parts.timings.interruptGraceMs)) === 'ok';
    } finally {
      this.parts.channels.forget(probe.msgId);
    }
  }

  private async interrupt(): Promise<void> {
    if (this.parts.interruptMode === 'signal') {
      try {
        process.kill(this.parts.kernelPid, 'SIGINT');
        return;
      } catch {
        /* fall through to the message */
      }
    }
    void this.parts.channels.send('control', 'interrupt_request', {});
  }

  shutdown(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async stop(): Promise<void> {
    const { channels, process: kernel, timings } = this.parts;
    channels.expectClose();
    if (kernel.alive) {
      channels.send('control', 'shutdown_request', { restart: false });
      await kernel.wait(timings.shutdownGraceMs);
    }
    // The kernel may be gone while what it started lives on: always sweep the group and cgroup.
    kernel.kill('SIGTERM');
    if (!(await kernel.wait(500))) kernel.kill('SIGKILL');
    kernel.kill('SIGKILL');
    await kernel.wait(5000);
    await kernel.cgroup?.remove();
    // Without a cgroup, a daemon may have left the group, and a pid namespace's members die
    // only after its init: sweep by the kernel's id until nothing is left (bounded).
    // Sandboxed, also sweep the kernel's pid namespace until its last process has exited.
    const namespace = this.parts.pidNamespace;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const left = [
        ...processesWithEnv(KERNEL_ID_VARIABLE, this.id),
        ...(namespace ? processesInPidNamespace(namespace.name) : []),
      ];
      if (left.length === 0) break;
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await delay(50);
    }
    namespace?.release();
    this.dead = true;
    channels.close();
    await rm(this.parts.runtimeDir, { recursive: true, force: true });
  }
}
