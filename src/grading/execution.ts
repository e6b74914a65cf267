/**
 * How grading runs code, without knowing how kernels are started or sandboxed.
 * grading/ stays pure: the kernel layer (src/kernel) provides objects of these shapes, and the
 * course layer (src/course) hands them to the steps that run code (Execute, InstantiateTests)
 * through the pipeline's context, as NotebookKernels.
 */
import type { Output } from '../notebook/types.js';

export interface CellRunResult {
  /**
   * Outputs in nbformat form, in the order the kernel sent them (before nbgrader's LimitOutput).
   * Kernel layer notes: consecutive streams of one name are merged (as nbclient does); past a
   * safety-net byte cap (default 10 MiB per cell) output is dropped with one stderr notice; on
   * 'timeout' they end with the KeyboardInterrupt error the interrupt produced (nbclient keeps it,
   * and nbgrader then appends its CellTimeoutError).
   */
  outputs: Output[];
  /** The kernel's execution_count for this request, or null if it never said. */
  executionCount: number | null;
  /**
   * ok: the kernel replied 'ok'; error: the code raised; timeout: it ran past the cell timeout and
   * was interrupted; dead: the kernel died or stopped answering and cannot run more cells.
   */
  status: 'ok' | 'error' | 'timeout' | 'dead';
  /**
   * The execute_reply's error (status 'error'), when the kernel provides it. Used when the kernel
   * showed no error output (a student who disabled showtraceback): nbgrader then appends this one.
   */
  errorReply?: { ename: string; evalue: string; traceback: string[] };
}

export interface KernelSession {
  /** Runs one cell's source. Never rejects for an error in the user's code; see `status`. */
  execute(code: string, options: { timeoutMs: number }): Promise<CellRunResult>;
  /** Stops the kernel and every process it started. Safe to call more than once. */
  shutdown(): Promise<void>;
  /** What isolation this kernel runs under, for the grading log (e.g. "bwrap, no network, cgroup memory 1G"). */
  readonly isolation: string;
}

export interface KernelStartOptions {
  /** The kernelspec name from the notebook (e.g. "python3"). */
  kernelName: string;
  /**
   * The directory the notebook runs in; the only one it may write. Under the bwrap sandbox as root
   * it is handed (chowned) to the coursehub-grader account, so pass a per-notebook copy.
   */
  workingDirectory: string;
  /** Extra environment for the kernel (e.g. NBGRADER_EXECUTION=autograde). */
  env: Record<string, string>;
  /** How long the kernel may take to become ready. */
  startupTimeoutMs: number;
}

export interface KernelLauncher {
  start(options: KernelStartOptions): Promise<KernelSession>;
}

/**
 * Kernels for the steps of one notebook. The course layer decides where they run (the working
 * directory: a private copy of the files) and how (the launcher and its sandbox); a step only says
 * which kernel it needs and with what environment.
 */
export interface NotebookKernels {
  start(options: Omit<KernelStartOptions, 'workingDirectory'>): Promise<KernelSession>;
}
