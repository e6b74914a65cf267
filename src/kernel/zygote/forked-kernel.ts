/**
 * A kernel forked by the zygote, seen from the hub: `pid` is its holder (the process in the
 * zygote's namespaces that the launcher puts in the cgroup); below it are the pid namespace's init
 * and the kernel itself. Exit is reported by the zygote, which reaps the holder.
 */
import { readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { waitForExit, type KernelProcessHandle } from '../kernel-process.js';
import { descendantAtDepth } from '../process-tree.js';

const LOG_TAIL_BYTES = 8192;

export interface ForkControl {
  release(): void;
}

const signalNames = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

export class ForkedKernel implements KernelProcessHandle {
  readonly exited: Promise<void>;
  exitCode: number | null = null;
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

  /** The kernel's host pid (holder -> init -> kernel), for interrupts. */
  kernelPid(): number | null {
    return descendantAtDepth(this.pid, 2);
  }

  /**
   * SIGKILL ends the whole pid namespace at once (its init dies, and the holder with it); any
   * other signal goes to the kernel, which may handle it.
   */
  signalGroup(signal: NodeJS.Signals): void {
    // Once the zygote has reaped the holder, its namespace is gone and its pid is free: another
    // kernel's holder may get it (pids wrap quickly on a busy machine), so signal nothing.
    if (this.hasExited) return;
    const targets = signal === 'SIGKILL' ? [descendantAtDepth(this.pid, 1), this.pid] : [this.kernelPid()];
    for (const pid of targets) {
      if (pid === null) continue;
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  waitForExit(ms: number): Promise<boolean> {
    return waitForExit(this.exited, this.hasExited, ms);
  }
}
