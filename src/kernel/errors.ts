import { CoursehubError } from '../util/errors.js';

/** The notebook asks for a kernel that no kernelspec directory provides. */
export class KernelSpecNotFoundError extends CoursehubError {}

/** A kernelspec exists but cannot be used (bad kernel.json, unsupported transport, ...). */
export class KernelSpecInvalidError extends CoursehubError {}

/** The kernel process did not start or did not answer kernel_info in time. */
export class KernelStartError extends CoursehubError {}
