/**
 * A user server's memory and CPU limits (`spawner.memoryLimitMb`, `spawner.cpuLimit`) as the local
 * spawner's sandbox holds them. cgroup v1 (writable by root here) gives a real memory cap and a
 * CPU quota. Where cgroups cannot be written (not root, cgroup v2 only, a container), RLIMIT_AS
 * caps memory instead; there is no rlimit for a CPU *rate*, so CPU is then left unlimited, and
 * the log says which limits hold.
 */
import type { SandboxLimits } from '../../sandbox/sandbox.js';

export interface LimitSettings {
  /** Memory cap in MiB; 0 = none. */
  memoryLimitMb: number;
  /** CPU cap in cores (0.5 = half a core); 0 = none. */
  cpuLimit: number;
}

const MIB = 1024 * 1024;

export function serverLimits(settings: LimitSettings): SandboxLimits {
  const memoryBytes = settings.memoryLimitMb * MIB;
  return {
    memoryBytes,
    cpus: settings.cpuLimit,
    maxProcesses: 0,
    rlimits: {},
    rlimitsWithoutCgroup: memoryBytes > 0 ? { as: memoryBytes } : {},
  };
}

/** Words for the log: which limits hold, by which mechanism. */
export function describeLimits(settings: LimitSettings, viaCgroups: boolean): string {
  const parts: string[] = [];
  if (settings.memoryLimitMb > 0)
    parts.push(`memory ${settings.memoryLimitMb} MiB (${viaCgroups ? 'cgroup v1' : 'rlimit AS'})`);
  if (settings.cpuLimit > 0)
    parts.push(
      viaCgroups
        ? `cpu ${settings.cpuLimit} cores (cgroup v1)`
        : `cpu unlimited (no cgroups; rlimits cannot cap a CPU rate)`,
    );
  return parts.length ? parts.join(', ') : 'no limits configured';
}
