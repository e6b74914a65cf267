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
export { GRADER_ACCOUNT } from '../sandbox/account-names.js';
export { ensureGraderAccount } from '../sandbox/unix-accounts.js';
export { KernelSpecNotFoundError, KernelSpecInvalidError, KernelStartError } from './errors.js';
export { SandboxSetupError } from '../sandbox/errors.js';
export type { KernelLogger } from './channels.js';
