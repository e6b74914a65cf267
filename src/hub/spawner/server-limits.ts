/**
 * A user server's limits (`spawner.memoryLimitMb`, `spawner.cpuLimit`, `spawner.processLimit`) as
 * the local spawner's sandbox holds them, and the words that say so in the log.
 *
 * With cgroup v1 (writable by root here) each holds for the whole server, kernels included: a
 * memory group (the OOM killer ends the largest process of that server only), a CPU quota, and a
 * pids group (fork bombs stop there). Where cgroups cannot be written (a hub that is not root,
 * cgroup v2 only, a container) rlimits stand in, more coarsely: RLIMIT_AS of twice the memory per
 * process (address space is reserved far beyond what is used: an idle ipykernel reserves ~750 MB),
 * RLIMIT_NPROC per account (only when each user has an account of their own: a hub that is not
 * root runs every server as its own user, whose count includes the hub), and no CPU cap at all
 * (there is no rlimit for a rate). No core dumps in any case: a crashing kernel would write one
 * into the student's home.
 */
import type { SandboxLimits } from '../../sandbox/sandbox.js';

export interface LimitSettings {
  /** Memory cap in MiB; 0 = none. */
  memoryLimitMb: number;
  /** CPU cap in cores (0.5 = half a core); 0 = none. */
  cpuLimit: number;
  /** Processes and threads at once; 0 = none. */
  processLimit: number;
}

const MIB = 1024 * 1024;

/**
 * @param ownAccount whether the server runs as an account of the user's own (a hub that is root),
 *   so that RLIMIT_NPROC, counted per account, counts this user's processes only
 */
export function serverLimits(settings: LimitSettings, ownAccount: boolean): SandboxLimits {
  const memoryBytes = settings.memoryLimitMb * MIB;
  return {
    memoryBytes,
    cpus: settings.cpuLimit,
    maxProcesses: settings.processLimit,
    rlimits: { core: 0 },
    rlimitsWithoutCgroup: {
      ...(memoryBytes > 0 ? { as: 2 * memoryBytes } : {}),
      ...(ownAccount && settings.processLimit > 0 ? { nproc: settings.processLimit } : {}),
    },
  };
}

/** Words for the log: which limits hold, by which mechanism. */
export function describeLimits(settings: LimitSettings, viaCgroups: boolean, ownAccount: boolean): string {
  const parts: string[] = [];
  if (settings.memoryLimitMb <= 0) parts.push('memory unlimited (spawner.memoryLimitMb is 0)');
  else if (viaCgroups) parts.push(`memory ${settings.memoryLimitMb} MiB (cgroup v1 memory)`);
  else
    parts.push(
      `memory ${settings.memoryLimitMb} MiB (rlimit AS of ${2 * settings.memoryLimitMb} MiB per process; no cgroups)`,
    );
  if (settings.cpuLimit <= 0) parts.push('cpu unlimited (spawner.cpuLimit is 0)');
  else if (viaCgroups) parts.push(`cpu ${settings.cpuLimit} cores (cgroup v1 cpu quota)`);
  else parts.push('cpu unlimited (no cgroups; rlimits cannot cap a CPU rate)');
  if (settings.processLimit <= 0) parts.push('processes unlimited (spawner.processLimit is 0)');
  else if (viaCgroups) parts.push(`processes ${settings.processLimit} (cgroup v1 pids)`);
  else if (ownAccount) parts.push(`processes ${settings.processLimit} per account (rlimit NPROC)`);
  else parts.push("processes unlimited (no cgroups, and the server runs as the hub's own account)");
  return parts.join(', ');
}
