/**
 * Per-server memory and CPU limits. cgroup v1 (what this machine has, writable by root) gives a
 * real memory cap, a CPU share and, through the pids controller, the list of every process the
 * server started, which `stop` uses to leave nothing behind (kernels run in their own sessions,
 * so killing the server's process group alone would miss them). Where cgroups cannot be written
 * (not root, cgroup v2 only, a container) we fall back to rlimits set by `prlimit` at exec time:
 * RLIMIT_AS caps memory; there is no rlimit for a CPU *rate*, so CPU is then left unlimited, and
 * the caller logs which limits were applied.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LimitSettings {
  /** Memory cap in MiB; 0 = none. */
  memoryLimitMb: number;
  /** CPU cap in cores (0.5 = half a core); 0 = none. */
  cpuLimit: number;
}

export interface AppliedLimits {
  /** cgroup directories the server's processes were put in (to kill and remove at stop). */
  cgroupDirs: string[];
  /** Words for the log: which limits hold, by which mechanism. */
  description: string;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
const CPU_PERIOD_US = 100_000;

function groupDir(controller: string, groupName: string): string {
  return join(CGROUP_ROOT, controller, 'coursehub', groupName);
}

/** True when cgroup v1 controllers are mounted and this process may make groups in them. */
export async function cgroupsWritable(): Promise<boolean> {
  if (!existsSync(join(CGROUP_ROOT, 'memory', 'memory.limit_in_bytes'))) return false;
  try {
    await mkdir(join(CGROUP_ROOT, 'pids', 'coursehub'), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the server's cgroups and writes the limits. Returns undefined when cgroups are not
 * usable, so the caller falls back to `rlimitWrapper`.
 */
export async function prepareCgroups(
  groupName: string,
  limits: LimitSettings,
): Promise<string[] | undefined> {
  if (!(await cgroupsWritable())) return undefined;
  const dirs: string[] = [];
  try {
    const pids = groupDir('pids', groupName);
    await mkdir(pids, { recursive: true });
    dirs.push(pids);
    if (limits.memoryLimitMb > 0) {
      const memory = groupDir('memory', groupName);
      await mkdir(memory, { recursive: true });
      dirs.push(memory);
      await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryLimitMb * 1024 * 1024));
    }
    if (limits.cpuLimit > 0) {
      const cpu = groupDir('cpu', groupName);
      await mkdir(cpu, { recursive: true });
      dirs.push(cpu);
      await writeFile(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(Math.round(limits.cpuLimit * CPU_PERIOD_US)));
    }
    return dirs;
  } catch {
    await removeCgroups(dirs);
    return undefined;
  }
}

/**
 * Puts a just-started process into its groups. Its children inherit them; the server (Python)
 * needs far longer to start than this write, so nothing it forks escapes.
 */
export async function joinCgroups(dirs: string[], pid: number): Promise<void> {
  for (const dir of dirs) await writeFile(join(dir, 'cgroup.procs'), String(pid));
}

/** Every process still in the server's groups. */
export async function cgroupPids(dirs: string[]): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of dirs) {
    try {
      const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
      for (const line of text.split('\n')) if (line.trim()) pids.add(Number(line));
    } catch {
      // group already removed
    }
  }
  return [...pids];
}

export async function removeCgroups(dirs: string[]): Promise<void> {
  for (const dir of dirs) await rmdir(dir).catch(() => undefined);
}

/** `prlimit` prefix that caps memory with RLIMIT_AS when cgroups are not available. */
export function rlimitWrapper(limits: LimitSettings): string[] {
  if (limits.memoryLimitMb <= 0) return [];
  return ['/usr/bin/prlimit', `--as=${limits.memoryLimitMb * 1024 * 1024}`, '--'];
}

export function describeLimits(limits: LimitSettings, viaCgroups: boolean): string {
  const parts: string[] = [];
  if (limits.memoryLimitMb > 0)
    parts.push(`memory ${limits.memoryLimitMb} MiB (${viaCgroups ? 'cgroup v1' : 'rlimit AS'})`);
  if (limits.cpuLimit > 0)
    parts.push(
      viaCgroups
        ? `cpu ${limits.cpuLimit} cores (cgroup v1)`
        : `cpu unlimited (no cgroups; rlimits cannot cap a CPU rate)`,
    );
  return parts.length ? parts.join(', ') : 'no limits configured';
}
