/**
 * What the sandboxed processes started here (spawned-process.ts) and found again after a hub
 * restart (attached-process.ts) share: they lead their own process group, their cgroup (if any)
 * holds everything they started, and stopping escalates SIGTERM -> SIGKILL -> the cgroup.
 */
import type { Cgroup } from './cgroup.js';
import { descendantAtDepth, processTreeOf } from './process-tree.js';
import type { SandboxedProcess, SandboxState } from './sandbox.js';

export abstract class HostProcess implements SandboxedProcess {
  cgroup: Cgroup | null = null;

  constructor(
    readonly pid: number,
    /** Detached: it may outlive this hub process, and is known by pid and start time. */
    protected readonly detached: boolean,
    /** /proc start time of `pid` (read for a detached process only). */
    protected readonly startTime: string,
    /** How far below `pid` the program is: 2 under bwrap (bwrap -> its init -> the program), else 0. */
    private readonly programDepth: number,
  ) {}

  abstract readonly exited: Promise<void>;
  abstract readonly alive: boolean;
  abstract readonly exitCode: number | null;
  abstract describeExit(): string;
  /**
   * Whether its exit is known here: for our own child, once Node has reported it (with its
   * status); for a re-attached process, once /proc no longer shows it.
   */
  protected abstract exitKnown(): boolean;

  programPid(): number | null {
    return descendantAtDepth(this.pid, this.programDepth);
  }

  processes(): number[] {
    if (this.cgroup) return this.cgroup.processes();
    return this.exitKnown() ? [] : processTreeOf(this.pid);
  }

  /**
   * A detached process is known by pid and start time: once that process is gone its pid may be
   * another's, so it is signalled only while it lives. One that dies with its caller is our child,
   * whose group outlives it while any member does: that group is always signalled.
   */
  kill(signal: NodeJS.Signals): void {
    if (this.detached && !this.alive) return;
    this.signalGroup(signal);
  }

  protected signalGroup(signal: NodeJS.Signals): void {
    signalQuietly(-this.pid, signal);
  }

  /**
   * Waits up to `ms` for its exit to be known, woken by the exit event, or every 100 ms (a
   * re-attached process has no event).
   */
  async wait(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.exitKnown()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(100, left))));
      await Promise.race([this.exited, tick]);
      clearTimeout(timer);
    }
    return true;
  }

  /**
   * SIGTERM to the program itself, so it can end gracefully (a notebook server shuts its kernels
   * down): signalled as a group, bwrap would die first and take the program along at once
   * (--die-with-parent). Then SIGKILL to the group, and whatever is left in the cgroup.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.alive) {
      // Depth 0: the program leads the group (or, from an older saved state, its depth is unknown).
      const program = this.programDepth > 0 ? this.programPid() : null;
      if (program === null) this.signalGroup('SIGTERM');
      else signalQuietly(program, 'SIGTERM');
      await this.wait(graceMs);
      this.signalGroup('SIGKILL');
    }
    // What left the process group (a server's kernels run in sessions of their own) is in the cgroup.
    await this.cgroup?.remove();
  }

  state(): SandboxState {
    return {
      pid: this.pid,
      startTime: this.startTime,
      cgroupDirs: this.cgroup?.dirs ?? [],
      programDepth: this.programDepth,
    };
  }
}

/** Signals `pid` (a negative one: its process group), if it is still there. */
function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}
