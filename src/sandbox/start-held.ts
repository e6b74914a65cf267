/**
 * The last steps every sandbox implementation takes to start a program: its rlimits, and the
 * gate. The program's process is started held (spawned-process.ts, or forked by the kernel
 * zygote), put in its cgroup, and only then let go.
 */
import { Cgroup, type CgroupFamily } from './cgroup.js';
import type { Rlimits } from './rlimits.js';
import type { SandboxedProcess, SandboxLimits } from './sandbox.js';

/** A started process held at its gate: nothing of the program has run yet. */
export interface HeldProcess extends SandboxedProcess {
  cgroup: Cgroup | null;
  release(): void;
}

/** The rlimits a program runs under: always `rlimits`; without a cgroup also what stands in for it. */
export function programRlimits(limits: SandboxLimits, withCgroup: boolean): Rlimits {
  return withCgroup ? limits.rlimits : { ...limits.rlimits, ...limits.rlimitsWithoutCgroup };
}

/**
 * Puts `held` in a new group of `family` named `name` (when there is a family), then releases
 * it. If the group cannot be made, the held process is killed and the error thrown.
 */
export async function releaseIntoCgroup<T extends HeldProcess>(
  held: T,
  family: CgroupFamily | null,
  name: string,
  limits: SandboxLimits,
): Promise<T> {
  if (family) {
    try {
      held.cgroup = Cgroup.create(family, name, limits);
      held.cgroup.addProcess(held.pid);
    } catch (error) {
      held.kill('SIGKILL');
      await held.cgroup?.remove();
      throw error;
    }
  }
  held.release();
  return held;
}
