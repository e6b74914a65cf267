/**
 * Per-kernel cgroup v1 groups (memory, pids, cpu). This machine mounts the v1 hierarchies at
 * /sys/fs/cgroup/<controller> and they are writable by root only; where they are not writable the
 * launcher falls back to rlimits. One group per kernel, named after the kernel's id, so parallel
 * kernels never share limits; the group is emptied (every process in it killed) and removed at
 * shutdown, which also catches processes that left the kernel's process group (setsid daemons).
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
import { join } from 'node:path';

export interface CgroupLimits {
  memoryBytes: number;
  maxProcesses: number;
  /** CPU cores the kernel may use (cfs quota / period), e.g. 1 = one full core. */
  cpus: number;
}

const ROOT = '/sys/fs/cgroup';
const PARENT = 'coursehub-kernels';
// freezer: to stop a fork bomb from refilling its slots while it is being killed.
type Controller = 'memory' | 'pids' | 'cpu' | 'freezer';
const CONTROLLERS: Controller[] = ['memory', 'pids', 'cpu', 'freezer'];

/** True when this process may create cgroup v1 groups for all three controllers. */
export function cgroupsWritable(): boolean {
  try {
    for (const controller of CONTROLLERS) accessSync(join(ROOT, controller), constants.W_OK);
    for (const controller of CONTROLLERS) mkdirSync(join(ROOT, controller, PARENT), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes kernel groups left by a grader that was killed (its kernels died with it, their groups
 * stayed). Only empty groups older than `minAgeMs`: a group another grader has just created is
 * empty for a moment before its kernel moves in.
 */
export function removeStaleCgroups(minAgeMs = 10 * 60_000): void {
  const now = Date.now();
  const candidates = CONTROLLERS.flatMap((controller) => {
    const parent = controller === 'cpu' ? join(ROOT, 'cpu') : join(ROOT, controller, PARENT);
    const prefix = controller === 'cpu' ? 'coursehub-kernel-' : 'kernel-';
    try {
      return readdirSync(parent)
        .filter((name) => name.startsWith(prefix))
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

export class KernelCgroup {
  private readonly paths: Record<Controller, string>;
  private removed = false;

  private constructor(readonly name: string) {
    this.paths = {
      memory: join(ROOT, 'memory', PARENT, name),
      pids: join(ROOT, 'pids', PARENT, name),
      // Not nested: in cgroup v1 a parent group competes for CPU as ONE task against every other
      // task at the top, so kernels nested under one parent shared a single task's time (a start
      // took 6x longer on a busy machine). At the top each kernel weighs what a process does.
      cpu: join(ROOT, 'cpu', `coursehub-${name}`),
      freezer: join(ROOT, 'freezer', PARENT, name),
    };
  }

  static create(name: string, limits: CgroupLimits): KernelCgroup {
    const group = new KernelCgroup(name);
    for (const path of Object.values(group.paths)) mkdirSync(path, { recursive: true });
    const { memory, pids, cpu } = group.paths;
    writeFileSync(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // Without swap here memsw may be absent or unwritable; the plain limit is what matters then.
    try {
      writeFileSync(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
    } catch {
      /* swap accounting off */
    }
    writeFileSync(join(pids, 'pids.max'), String(limits.maxProcesses));
    const period = 100_000;
    writeFileSync(join(cpu, 'cpu.cfs_period_us'), String(period));
    writeFileSync(join(cpu, 'cpu.cfs_quota_us'), String(Math.max(1000, Math.round(limits.cpus * period))));
    return group;
  }

  /** Moves a process (and so everything it later starts) into every controller's group. */
  addProcess(pid: number): void {
    for (const path of Object.values(this.paths)) writeFileSync(join(path, 'cgroup.procs'), String(pid));
  }

  /** Every process still in the group (the pids controller sees them all). */
  processes(): number[] {
    try {
      return readFileSync(join(this.paths.pids, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  /** True when the memory controller recorded the kernel hitting its limit. */
  hitMemoryLimit(): boolean {
    try {
      return Number(readFileSync(join(this.paths.memory, 'memory.failcnt'), 'utf8')) > 0;
    } catch {
      return false;
    }
  }

  /**
   * SIGKILLs everything in the group until it is empty. The group is frozen first so a fork bomb
   * cannot fork into the slots its killed members free; the kills land when it is thawed.
   */
  async killAll(): Promise<void> {
    const freezerState = join(this.paths.freezer, 'freezer.state');
    try {
      writeFileSync(freezerState, 'FROZEN');
      for (let wait = 0; wait < 50 && readFileSync(freezerState, 'utf8').trim() !== 'FROZEN'; wait += 1)
        await new Promise((resolve) => setTimeout(resolve, 10));
      for (const pid of this.processes()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    } catch {
      /* no freezer group (already removed): plain kills below */
    } finally {
      try {
        writeFileSync(freezerState, 'THAWED');
      } catch {
        /* group already removed */
      }
    }
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const pids = this.processes();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    await this.killAll();
    for (const path of Object.values(this.paths)) {
      // rmdir fails with EBUSY while the last killed processes are being reaped; retry briefly.
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          rmdirSync(path);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    this.removed = true;
  }

  describe(limits: CgroupLimits): string {
    return `cgroup v1 memory ${formatBytes(limits.memoryBytes)}, pids ${limits.maxProcesses}, cpu ${limits.cpus}`;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}G`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)}M`;
  return `${bytes}B`;
}
