import type { Rlimits } from '../sandbox/rlimits.js';

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

/** The rlimits a grading kernel always runs under: no core dumps, a file-size cap, an open-file cap. */
export function rlimitsAlways(limits: KernelLimits): Rlimits {
  return { core: 0, fsize: limits.maxFileBytes, nofile: 1024 };
}

/**
 * What stands in for the cgroup where cgroups are not writable: a process cap (RLIMIT_NPROC counts
 * per user, so it is a coarser net) and an address-space cap (twice the memory: address space is
 * reserved far beyond what is used).
 */
export function rlimitsWithoutCgroup(limits: KernelLimits): Rlimits {
  return { nproc: limits.maxProcesses, as: limits.memoryBytes * 2 };
}
