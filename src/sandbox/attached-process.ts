/**
 * A detached sandbox started by an earlier hub process, found again from its saved state. It is
 * not our child: whether it lives is read from /proc (pid and start time), and its exit status is
 * not ours to know.
 */
import { Cgroup } from './cgroup.js';
import { HostProcess } from './host-process.js';
import { isSameProcessAlive } from './process-tree.js';
import type { SandboxState } from './sandbox.js';

const POLL_MS = 250;

export class AttachedProcess extends HostProcess {
  readonly exitCode = null;
  private watching: Promise<void> | undefined;

  constructor(state: SandboxState) {
    super(state.pid, true, state.startTime, state.programDepth ?? 0);
    this.cgroup = state.cgroupDirs.length > 0 ? Cgroup.fromDirs(state.cgroupDirs) : null;
  }

  get alive(): boolean {
    return isSameProcessAlive(this.pid, this.startTime);
  }

  /** Settles once /proc no longer shows the process (looked at every 250 ms, without holding the event loop). */
  get exited(): Promise<void> {
    this.watching ??= new Promise((resolve) => {
      const look = () => (this.alive ? setTimeout(look, POLL_MS).unref() : resolve());
      look();
    });
    return this.watching;
  }

  protected exitKnown(): boolean {
    return !this.alive;
  }

  describeExit(): string {
    return this.alive ? 'still running' : 'exited (started by an earlier hub process: its status is unknown)';
  }
}
