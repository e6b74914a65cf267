/**
 * A sandbox's outermost process as this hub process starts it: in its own process group,
 * optionally as another account, and held at a gate (a shell waiting for one line on stdin) until
 * the sandbox has moved it into its cgroup, so not one instruction of the program runs outside
 * its limits. Exit is observed, never polled.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { dropPrivilegesArgs } from './drop-privileges.js';
import { HostProcess } from './host-process.js';
import { isSameProcessAlive, processStartTime } from './process-tree.js';
import type { SandboxLifetime } from './sandbox.js';

export interface HeldSpawnOptions {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  /**
   * Start it as this account: uid and gid, and exactly the supplementary groups listed (none when
   * there is no list: every other group is dropped).
   */
  runAs?: { uid: number; gid: number; groups?: readonly number[] };
  lifetime: SandboxLifetime;
  /**
   * The gate shell stays as the command's parent instead of becoming it (exec): what a detached
   * `bwrap --die-with-parent` needs, which must outlive the hub but die with the process the hub
   * watches (the shell, in a session of its own, outlives the hub).
   */
  shellStays: boolean;
  /** How far below the started process the program runs: 2 under bwrap, 3 with the shell above it, else 0. */
  programDepth: number;
  /** The file mode creation mask the program starts with (octal, e.g. 0o007); default: the hub's. */
  umask?: number;
}

const STDERR_TAIL_BYTES = 8192;

export class SpawnedProcess extends HostProcess {
  readonly exited: Promise<void>;
  exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private hasExited = false;
  private stderrTail = '';

  private constructor(
    private readonly child: ChildProcess,
    detached: boolean,
    programDepth: number,
  ) {
    if (child.pid === undefined) throw new Error('spawn returned no pid');
    // A detached process is known by pid and start time (it may be re-attached to later).
    super(child.pid, detached, detached ? (processStartTime(child.pid) ?? '') : '', programDepth);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        this.exitSignal = signal;
        this.exitCode = code ?? 128 + (signal ? signalNumber(signal) : 0);
        resolve();
      });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // Drain stdout so a chatty program never blocks on a full pipe.
    child.stdout?.resume();
  }

  /** Starts the command behind the gate; `release()` lets it run. */
  static async spawnHeld(options: HeldSpawnOptions): Promise<SpawnedProcess> {
    const detached = options.lifetime.kind === 'detached';
    // A detached process writes to its log file, not to pipes that end with this process.
    const logFd =
      options.lifetime.kind === 'detached' ? openSync(options.lifetime.logFile, 'a', 0o600) : null;
    const stdio: StdioOptions = logFd === null ? ['pipe', 'pipe', 'pipe'] : ['pipe', logFd, logFd];
    // Node's uid/gid options drop every supplementary group; an account that keeps some (an
    // instructor's course groups) becomes itself through setpriv after the gate instead.
    const keepsGroups = (options.runAs?.groups?.length ?? 0) > 0 ? options.runAs : undefined;
    const command = keepsGroups ? [...dropPrivilegesArgs(keepsGroups), ...options.command] : options.command;
    let child: ChildProcess;
    try {
      const umask =
        options.umask === undefined ? '' : `umask ${options.umask.toString(8).padStart(4, '0')}; `;
      const script = umask + (options.shellStays ? 'read -r _gate; "$@"' : 'read -r _gate; exec "$@"');
      child = spawn('/bin/sh', ['-c', script, 'sandbox-gate', ...command], {
        cwd: options.cwd,
        env: options.env,
        uid: keepsGroups ? undefined : options.runAs?.uid,
        gid: keepsGroups ? undefined : options.runAs?.gid,
        detached: true, // own process group, so the group can be signalled as one
        stdio,
      });
    } finally {
      if (logFd !== null) closeSync(logFd);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    return new SpawnedProcess(child, detached, options.programDepth);
  }

  release(): void {
    this.child.stdin?.end('go\n');
    // A detached process must not keep this one alive: it is meant to outlive it.
    if (this.detached) this.child.unref();
  }

  get alive(): boolean {
    // A detached process counts as gone as soon as /proc says so (a zombie included), before Node
    // has reported its exit.
    if (this.hasExited) return false;
    return !this.detached || isSameProcessAlive(this.pid, this.startTime);
  }

  protected exitKnown(): boolean {
    return this.hasExited;
  }

  describeExit(): string {
    const how = this.exitSignal ? `killed by ${this.exitSignal}` : `exited with code ${this.exitCode}`;
    const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
    return tail ? `${how}; its last messages:\n${tail}` : how;
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return (constants.signals as Record<string, number>)[signal] ?? 0;
}
