/**
 * A kernel forked by the zygote, seen from the hub: `pid` is its holder (the process in the
 * zygote's namespaces that is put in the kernel's cgroup); below it are the pid namespace's init
 * and the kernel itself. Exit is reported by the zygote, which reaps the holder.
 */
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import type { Cgroup } from '../../sandbox/cgroup.js';
import { descendantAtDepth, processTreeOf } from '../../sandbox/process-tree.js';
import type { SandboxState } from '../../sandbox/sandbox.js';
import type { HeldProcess } from '../../sandbox/start-held.js';

const LOG_TAIL_BYTES = 8192;

export interface ForkControl {
  release(): void;
}

const signalNames = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

export class ForkedKernel implements HeldProcess {
  readonly exited: Promise<void>;
  exitCode: number | null = null;
  cgroup: Cgroup | null = null;
  private hasExited = false;
  private logTail = '';
  private markExited!: () => void;

  constructor(
    readonly pid: number,
    private readonly logFile: string,
    private readonly control: ForkControl,
  ) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
  }

  release(): void {
    this.control.release();
  }

  get alive(): boolean {
    return !this.hasExited;
  }

  /** Called by the zygote client when the holder has been reaped. */
  noteExit(code: number): void {
    if (this.hasExited) return;
    this.hasExited = true;
    this.exitCode = code;
    try {
      const text = readFileSync(this.logFile);
      this.logTail = text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)).toString('utf8');
    } catch {
      /* never written */
    }
    rmSync(this.logFile, { force: true });
    this.markExited();
  }

  describeExit(): string {
    const code = this.exitCode;
    const how =
      code !== null && code > 128 && signalNames.has(code - 128)
        ? `killed by ${signalNames.get(code - 128)}`
        : `exited with code ${code}`;
    const tail = this.logTail.trim().split('\n').slice(-5).join('\n');
    return tail ? `${how}; its last messages:\n${tail}` : how;
  }

  processes(): number[] {
    if (this.cgroup) return this.cgroup.processes();
    return this.hasExited ? [] : processTreeOf(this.pid);
  }

  /** The kernel's host pid (holder -> init -> kernel), for interrupts. */
  programPid(): number | null {
    return descendantAtDepth(this.pid, 2);
  }

  /**
   * SIGKILL ends the whole pid namespace at once (its init dies, and the holder with it); any
   * other signal goes to the kernel, which may handle it.
   */
  kill(signal: NodeJS.Signals): void {
    // Once the zygote has reaped the holder, its namespace is gone and its pid is free: another
    // kernel's holder may get it (pids wrap quickly on a busy machine), so signal nothing.
    if (this.hasExited) return;
    const targets = signal === 'SIGKILL' ? [descendantAtDepth(this.pid, 1), this.pid] : [this.programPid()];
    for (const pid of targets) {
      if (pid === null) continue;
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  async wait(ms: number): Promise<boolean> {
    if (this.hasExited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const result = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  async stop(graceMs: number): Promise<void> {
    this.kill('SIGTERM');
    if (!(await this.wait(graceMs))) this.kill('SIGKILL');
    await this.cgroup?.remove();
  }

  state(): SandboxState {
    return { pid: this.pid, startTime: '', cgroupDirs: this.cgroup?.dirs ?? [] };
  }
}
