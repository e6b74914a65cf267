/** Resource limits for one grading kernel, with defaults that fit a teaching notebook. */
export interface KernelLimits {
  /** Memory for the kernel and everything it starts (cgroup), or its address space (rlimit). */
  memoryBytes: number;
  /** Processes and threads at once: contains fork bombs. */
  maxProcesses: number;
  /** CPU cores' worth of time (cgroup cfs quota). */
  cpus: number;
  /** Output one cell may produce before the rest is dropped. */
  maxOutputBytes: number;
  /** Size of the private in-memory /tmp. */
  tmpBytes: number;
  /** Largest file the kernel may write (rlimit). */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: KernelLimits = {
  memoryBytes: 1024 ** 3,
  maxProcesses: 128,
  cpus: 1,
  maxOutputBytes: 10 * 1024 ** 2,
  tmpBytes: 256 * 1024 ** 2,
  maxFileBytes: 512 * 1024 ** 2,
};

/**
 * The rlimits a grading kernel runs under. Core dumps are always off; the process and
 * address-space caps stand in for cgroups only where cgroups are not writable (RLIMIT_NPROC counts
 * per user, so it is a coarser net).
 */
export function rlimitValues(limits: KernelLimits, withoutCgroups: boolean): Record<string, number> {
  const values: Record<string, number> = { core: 0, fsize: limits.maxFileBytes, nofile: 1024 };
  if (withoutCgroups) Object.assign(values, { nproc: limits.maxProcesses, as: limits.memoryBytes * 2 });
  return values;
}

/**
 * prlimit(1) arguments for the same limits. Node cannot call setrlimit for a child, and
 * util-linux's prlimit is on every Debian machine, so a spawned kernel is started through it.
 */
export function prlimitArgs(limits: KernelLimits, withoutCgroups: boolean): string[] {
  const args = Object.entries(rlimitValues(limits, withoutCgroups)).map(
    ([name, value]) => `--${name}=${value}`,
  );
  return ['prlimit', ...args, '--'];
}
