/**
 * THE cgroup module: one group per sandbox in each cgroup v1 controller it needs. This machine
 * mounts the v1 hierarchies at /sys/fs/cgroup/<controller>, writable by root only; where they are
 * not writable the sandboxes fall back to rlimits. A group gives a real memory cap, a CPU quota, a
 * process cap, and through the pids controller the list of every process the sandbox started,
 * even those that left its process group (setsid daemons, a server's kernels): removing the group
 * kills them all.
 *
 * Grading kernels and user servers keep their groups in two families that differ today as
 * written below (the kernels' layout was tuned for many short-lived groups).
 */
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { SandboxSetupError } from './errors.js';

export type Controller = 'memory' | 'pids' | 'cpu' | 'freezer';

/** Where one kind of sandbox keeps its groups, and what they hold beyond the limits. */
export interface CgroupFamily {
  /** Folder under each controller's hierarchy that holds the family's groups. */
  parent: string;
  /**
   * The cpu group at the top of the cpu hierarchy, named this prefix and the group's name, instead
   * of under `parent`: in cgroup v1 a parent group competes for CPU as ONE task against every other
   * task at the top, so groups nested under one parent share a single task's time (a kernel start
   * took 6x longer on a busy machine; 20 servers starting at once, 4x). At the top each group
   * weighs what a process does. null: under `parent` like the other controllers.
   */
  cpuAtTop: string | null;
  /** A freezer group, so a fork bomb cannot refill the slots its killed members free. */
  freezer: boolean;
  /** The memory cap holds for memory and swap together (memsw), not for memory alone. */
  capSwapToo: boolean;
}

/** Grading kernels: /sys/fs/cgroup/{memory,pids,freezer}/coursehub-kernels/kernel-ID, cpu/coursehub-kernel-ID. */
export const KERNEL_CGROUPS: CgroupFamily = {
  parent: 'coursehub-kernels',
  cpuAtTop: 'coursehub-',
  freezer: true,
  capSwapToo: true,
};

/**
 * User servers: /sys/fs/cgroup/{memory,pids,freezer}/coursehub/NAME, cpu/coursehub-server-NAME.
 * The freezer lets a stop end a fork bomb that keeps refilling its process limit.
 */
export const SERVER_CGROUPS: CgroupFamily = {
  parent: 'coursehub',
  cpuAtTop: 'coursehub-server-',
  freezer: true,
  capSwapToo: false,
};

/** The limits a group enforces; 0 = none (the controller's group is then not made, but pids always is). */
export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
  /** CPU cores' worth of time (cfs quota / period), e.g. 0.5 = half a core. */
  cpus: number;
}

const ROOT = '/sys/fs/cgroup';
const CPU_PERIOD_US = 100_000;

function controllersOf(family: CgroupFamily): Controller[] {
  return family.freezer ? ['memory', 'pids', 'cpu', 'freezer'] : ['memory', 'pids', 'cpu'];
}

function groupPath(family: CgroupFamily, controller: Controller, name: string): string {
  if (controller === 'cpu' && family.cpuAtTop !== null) return join(ROOT, 'cpu', `${family.cpuAtTop}${name}`);
  return join(ROOT, controller, family.parent, name);
}

/** True when this process may create the family's groups in every controller it uses. */
export function cgroupsWritable(family: CgroupFamily): boolean {
  try {
    for (const controller of controllersOf(family)) accessSync(join(ROOT, controller), constants.W_OK);
    for (const controller of controllersOf(family)) {
      if (controller === 'cpu' && family.cpuAtTop !== null) continue;
      mkdirSync(join(ROOT, controller, family.parent), { recursive: true });
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the family's groups named `prefix...` that a killed hub left behind (their processes
 * died with it, the groups stayed). Only empty groups older than `minAgeMs`: a group another hub
 * process has just created is empty for a moment before its process moves in.
 */
export function removeStaleCgroups(family: CgroupFamily, prefix: string, minAgeMs = 10 * 60_000): void {
  const now = Date.now();
  const candidates = controllersOf(family).flatMap((controller) => {
    const atTop = controller === 'cpu' && family.cpuAtTop !== null;
    const parent = atTop ? join(ROOT, 'cpu') : join(ROOT, controller, family.parent);
    const start = atTop ? `${family.cpuAtTop}${prefix}` : prefix;
    try {
      return readdirSync(parent)
        .filter((name) => name.startsWith(start))
        .map((name) => join(parent, name));
    } catch {
      return [];
    }
  });
  for (const path of candidates) {
    try {
      if (now - statSync(path).mtimeMs < minAgeMs) continue;
      if (readFileSync(join(path, 'cgroup.procs'), 'utf8').trim() !== '') continue;
      rmdirSync(path);
    } catch {
      /* in use, or already gone */
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

export class Cgroup {
  private removed = false;

  private constructor(private readonly paths: Partial<Record<Controller, string>>) {}

  /** Makes the groups of `name` in `family` and writes the limits. */
  static create(family: CgroupFamily, name: string, limits: CgroupLimits): Cgroup {
    const wanted: Controller[] = ['pids'];
    if (limits.memoryBytes > 0) wanted.push('memory');
    if (limits.cpus > 0) wanted.push('cpu');
    if (family.freezer) wanted.push('freezer');
    const group = new Cgroup(Object.fromEntries(wanted.map((c) => [c, groupPath(family, c, name)])));
    try {
      for (const path of Object.values(group.paths)) mkdirSync(path, { recursive: true });
      const { memory, pids, cpu } = group.paths;
      if (memory) {
        writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
        // Without swap accounting memsw is absent or unwritable; the plain limit is what matters then.
        if (family.capSwapToo) {
          try {
            writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
          } catch {
            /* swap accounting off */
          }
        }
      }
      if (pids && limits.maxProcesses > 0) writeFileSync(join(pids, 'pids.max'), String(limits.maxProcesses));
      if (cpu) {
        writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
        // The kernel refuses a quota under 1 ms.
        const quota = Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US));
        writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(quota));
      }
    } catch (error) {
      for (const path of Object.values(group.paths)) rmdirQuietly(path);
      throw error;
    }
    return group;
  }

  /** The groups of a sandbox started by an earlier hub process, from `dirs` (as saved). */
  static fromDirs(dirs: string[]): Cgroup {
    const paths: Partial<Record<Controller, string>> = {};
    for (const dir of dirs) paths[relative(ROOT, dir).split('/')[0] as Controller] = dir;
    return new Cgroup(paths);
  }

  /** The group folders, one per controller: what a later hub process needs (`fromDirs`). */
  get dirs(): string[] {
    return Object.values(this.paths);
  }

  /** Moves a process (and so everything it later starts) into every controller's group. */
  addProcess(pid: number): void {
    for (const path of this.dirs) writeFileSync(join(path, 'cgroup.procs'), String(pid));
  }

  /** Every process still in the group (the pids controller sees them all). */
  processes(): number[] {
    const pids = new Set<number>();
    for (const path of this.paths.pids ? [this.paths.pids] : this.dirs) {
      try {
        for (const line of readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n'))
          if (line.trim()) pids.add(Number(line));
      } catch {
        /* group already removed */
      }
    }
    return [...pids];
  }

  /**
   * SIGKILLs everything in the group and waits until it is empty. A group with a freezer is frozen
   * first so a fork bomb cannot fork into the slots its killed members free; the kills land when
   * it thaws. A process that outlives `ms` (stuck in the kernel, say) is named in the error.
   */
  async killAll(ms = 10_000): Promise<void> {
    const freezer = this.paths.freezer;
    if (freezer) {
      const freezerState = join(freezer, 'freezer.state');
      try {
        writeFileSync(freezerState, 'FROZEN');
        for (let wait = 0; wait < 50 && readFileSync(freezerState, 'utf8').trim() !== 'FROZEN'; wait += 1)
          await delay(10);
        for (const pid of this.processes()) killQuietly(pid);
      } catch {
        /* freezer group already removed: plain kills below */
      } finally {
        try {
          writeFileSync(freezerState, 'THAWED');
        } catch {
          /* group already removed */
        }
      }
    }
    const deadline = Date.now() + ms;
    for (;;) {
      const pids = this.processes();
      if (pids.length === 0) return;
      if (Date.now() > deadline)
        throw new SandboxSetupError(
          `Processes ${pids.join(', ')} are still in the cgroup ${this.dirs[0]} after SIGKILL.`,
          {
            hint: 'They may be stuck in the kernel (state D in /proc/PID/stat); the group is removed once they end.',
          },
        );
      for (const pid of pids) killQuietly(pid);
      await delay(20);
    }
  }

  /** Kills everything left in the group and removes it. Safe to call twice. */
  async remove(): Promise<void> {
    if (this.removed) return;
    await this.killAll();
    for (const path of this.dirs) {
      // rmdir fails with EBUSY while the last killed processes are being reaped; retry briefly.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          rmdirSync(path);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          await delay(20);
        }
      }
    }
    this.removed = true;
  }
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    /* not made, or not empty */
  }
}

/** Every process in the groups saved as `dirs` (tests and tools look into a server's groups). */
export function cgroupPids(dirs: string[]): number[] {
  return Cgroup.fromDirs(dirs).processes();
}
