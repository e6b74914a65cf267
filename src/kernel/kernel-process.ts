/**
 * The kernel's OS process: started in its own process group, optionally as another user, and held
 * at a gate (a shell waiting for one line on stdin) until the launcher has moved it into its
 * cgroup, so not one instruction of the kernel runs outside its limits. Exit is observed, never
 * polled; stopping escalates SIGTERM -> SIGKILL on the whole process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnOptions {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

const STDERR_TAIL_BYTES = 8192;

/**
 * What a session needs of the kernel's process, however it was started (spawned here, or forked
 * by the zygote in src/kernel/zygote/).
 */
export interface KernelProcessHandle {
  /** The host pid the launcher put in the kernel's cgroup (a wrapper of the kernel, or the kernel). */
  readonly pid: number;
  readonly exited: Promise<void>;
  readonly alive: boolean;
  describeExit(): string;
  /** Signals the kernel and everything it started. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Waits up to `ms` for exit; true if it exited. */
  waitForExit(ms: number): Promise<boolean>;
}

/** Waits up to `ms` for `exited`; true if the process exited. Shared by both kinds of handle. */
export async function waitForExit(exited: Promise<void>, hasExited: boolean, ms: number): Promise<boolean> {
  if (hasExited) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([exited.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

export class KernelProcess implements KernelProcessHandle {
  readonly pid: number;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private stderrTail = '';
  private hasExited = false;

  private constructor(private readonly child: ChildProcess) {
    if (child.pid === undefined) throw new Error('spawn returned no pid');
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // Drain stdout so a chatty kernel never blocks on a full pipe.
    child.stdout?.resume();
  }

  /** Starts the command behind the gate; call `release()` to let it run. */
  static async spawnGated(options: SpawnOptions): Promise<KernelProcess> {
    const child = spawn('/bin/sh', ['-c', 'read -r _gate; exec "$@"', 'kernel-gate', ...options.command], {
      cwd: options.cwd,
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      detached: true, // own process group, so the group can be signalled as one
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new KernelProcess(child);
  }

  release(): void {
    this.child.stdin?.end('go\n');
  }

  get alive(): boolean {
    return !this.hasExited;
  }

  describeExit(): string {
    const how = this.exitSignal ? `killed by ${this.exitSignal}` : `exited with code ${this.exitCode}`;
    const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
    return tail ? `${how}; its last messages:\n${tail}` : how;
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      /* group already gone */
    }
  }

  waitForExit(ms: number): Promise<boolean> {
    return waitForExit(this.exited, this.hasExited, ms);
  }
}
