/**
 * The hub's side of the kernel zygote (zygote.py beside this file): one long-lived Python process
 * per interpreter that has imported ipykernel once and forks a fresh, self-sandboxing kernel per
 * notebook. A kernel so started costs about a tenth of the CPU of `python3 -m ipykernel_launcher`
 * (bench/kernel-start.ts), which is most of what grading a notebook costs.
 *
 * Every fork is still a new process that has run no user code before; nothing is pooled or reused
 * between notebooks. The zygote is started on first use and again if it dies; it exits with the
 * hub (bwrap's --die-with-parent, and EOF on its command pipe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bubblewrapArgs } from '../../sandbox/bubblewrap-args.js';
import type { Rlimits } from '../../sandbox/rlimits.js';
import { GRADING_VIEW } from '../../sandbox/system-view.js';
import { KernelStartError } from '../errors.js';
import { ForkedKernel } from './forked-kernel.js';

const SCRIPT = fileURLToPath(new URL('./zygote.py', import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface ZygoteOptions {
  python: string;
  /** The environment every kernel starts from; Python fixes locale and flags at start-up. */
  env: Record<string, string>;
  hiddenPaths: string[];
  maskFile: string;
  /** The launcher's runtime folder; kernels' log files are written there. */
  runtimeRoot: string;
}

/** What one fork needs; paths are host paths. */
export interface ForkRequest {
  id: string;
  cwd: string;
  env: Record<string, string>;
  /** ipykernel's arguments after `-m ipykernel_launcher`. */
  kernelArgs: string[];
  uid: number;
  gid: number;
  /** Host folders the kernel sees (read-write, at the same path): runtime dir, working copy. */
  binds: string[];
  /** Paths inside those folders to hide. */
  hidden: string[];
  tmpBytes: number;
  rlimits: Rlimits;
  /** Where the kernel's stdout and stderr go (a file the kernel cannot see). */
  logFile: string;
}

type ZygoteEvent =
  | { event: 'ready'; pid: number }
  | { event: 'forked'; id: string; pid: number }
  | { event: 'exited'; id: string; code: number }
  | { event: 'error'; id?: string; message: string };

export class KernelZygote {
  private readonly kernels = new Map<string, ForkedKernel>();
  private readonly forking = new Map<
    string,
    { resolve: (pid: number) => void; reject: (e: Error) => void }
  >();
  private stderrTail = '';
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ZygoteOptions,
  ) {}

  static async start(options: ZygoteOptions): Promise<KernelZygote> {
    const command = zygoteSandboxCommand(options);
    const child = spawn(command[0]!, command.slice(1), {
      env: options.env,
      cwd: '/',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const zygote = new KernelZygote(child, options);
    await zygote.waitForReady();
    return zygote;
  }

  get alive(): boolean {
    return !this.exited;
  }

  private waitForReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new KernelStartError(`The kernel zygote did not start within ${READY_TIMEOUT_MS} ms.`));
      }, READY_TIMEOUT_MS);
      this.child.stderr!.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
      });
      this.child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.exited = true;
        const why = `The kernel zygote (${this.options.python}) stopped: ${signal ?? `exit code ${code}`}`;
        reject(new KernelStartError(`${why}. ${this.stderrTail.trim().split('\n').slice(-5).join('\n')}`));
        for (const pending of this.forking.values()) pending.reject(new KernelStartError(why));
        this.forking.clear();
        // Its forks die with it (PDEATHSIG); tell their sessions.
        for (const kernel of this.kernels.values()) kernel.noteExit(137);
        this.kernels.clear();
      });
      createInterface({ input: this.child.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as ZygoteEvent;
        if (event.event === 'ready') {
          clearTimeout(timer);
          resolve();
        } else this.dispatch(event);
      });
      this.updateRef();
    });
  }

  private dispatch(event: ZygoteEvent): void {
    if (event.event === 'forked') {
      this.forking.get(event.id)?.resolve(event.pid);
      this.forking.delete(event.id);
    } else if (event.event === 'exited') {
      this.kernels.get(event.id)?.noteExit(event.code);
      this.kernels.delete(event.id);
    } else if (event.event === 'error' && event.id !== undefined) {
      this.forking
        .get(event.id)
        ?.reject(new KernelStartError(`The kernel zygote could not fork: ${event.message}`));
      this.forking.delete(event.id);
    }
    this.updateRef();
  }

  /**
   * Forks a kernel held at its gate: it runs nothing of its own until `release()` (after the
   * launcher has put `pid` in the kernel's cgroup).
   */
  async fork(request: ForkRequest): Promise<ForkedKernel> {
    if (this.exited) throw new KernelStartError('The kernel zygote is not running.');
    const pid = await new Promise<number>((resolve, reject) => {
      this.forking.set(request.id, { resolve, reject });
      this.updateRef();
      this.send({
        op: 'fork',
        id: request.id,
        cwd: request.cwd,
        env: request.env,
        kernel_args: request.kernelArgs,
        uid: request.uid,
        gid: request.gid,
        binds: request.binds,
        hidden: request.hidden,
        mask_file: this.options.maskFile,
        tmp_bytes: request.tmpBytes,
        rlimits: request.rlimits,
        log_file: request.logFile,
      });
    });
    const kernel = new ForkedKernel(pid, request.logFile, {
      release: () => this.send({ op: 'release', id: request.id }),
    });
    this.kernels.set(request.id, kernel);
    this.updateRef();
    return kernel;
  }

  private send(command: Record<string, unknown>): void {
    if (!this.exited) this.child.stdin!.write(JSON.stringify(command) + '\n');
  }

  /** The zygote keeps the event loop alive only while a kernel it forked lives. */
  private updateRef(): void {
    const busy = this.forking.size > 0 || this.kernels.size > 0;
    const streams = [this.child.stdout, this.child.stderr, this.child.stdin] as Array<{
      ref?: () => void;
      unref?: () => void;
    } | null>;
    for (const stream of streams) (busy ? stream?.ref : stream?.unref)?.call(stream);
    if (busy) this.child.ref();
    else this.child.unref();
  }

  close(): void {
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }
}

/**
 * The sandbox the zygote lives in: the grading view of the system, without network, plus the
 * host's root read-only at /.host, from which each forked kernel binds its own two folders before
 * detaching /.host. The zygote stays root (bwrap keeps a root caller's capabilities) because every
 * fork must mount and then drop to the grader account itself; the zygote never runs user code. No
 * pid namespace here: the pids it reports are the host's, so the hub can put each kernel in its
 * cgroup.
 */
function zygoteSandboxCommand(options: ZygoteOptions): string[] {
  return bubblewrapArgs(
    {
      namespaces: ['ipc', 'net', 'uts', 'cgroup-try'],
      dieWithParent: true,
      newSession: true,
      view: GRADING_VIEW,
      readOnlyBinds: [
        { source: '/', target: '/.host' },
        { source: SCRIPT, target: '/zygote.py' },
      ],
      // The zygote writes each kernel's log file there.
      writable: [options.runtimeRoot],
      hidden: options.hiddenPaths,
      maskFile: options.maskFile,
      chdir: '/',
    },
    [options.python, '/zygote.py'],
  );
}
