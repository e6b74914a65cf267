/** The kernel layer: kernelspecs, the Jupyter messaging client, and sandboxed grading kernels. */
export { createKernelLauncher, type KernelLauncherOptions, type JupyterKernelLauncher } from './launcher.js';
export { JupyterKernelSession, DEFAULT_TIMINGS, type SessionTimings } from './session.js';
export { DEFAULT_LIMITS, type KernelLimits } from './limits.js';
export {
  findKernelSpecs,
  getKernelSpec,
  kernelSpecDirs,
  NATIVE_KERNEL_NAME,
  DEFAULT_PYTHON,
  type KernelSpec,
  type KernelSpecSearchOptions,
} from './kernelspec.js';
export { GRADER_ACCOUNT, ensureGraderAccount } from './grader-account.js';
export {
  KernelSpecNotFoundError,
  KernelSpecInvalidError,
  KernelStartError,
  SandboxSetupError,
} from './errors.js';
export type { KernelLogger } from './channels.js';
