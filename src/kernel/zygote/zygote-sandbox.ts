/**
 * The kernel zygote as a Sandbox: a grading kernel's request is served by a fork of the zygote for
 * its interpreter (started on first use, and again when it has died) instead of by a new bwrap.
 * The fork builds the same sandbox for itself (zygote.py): the request's writable folders, the
 * view's masks, a private /tmp, no network, the account, the rlimits; the hub puts it in its
 * cgroup before it runs. Only ipykernel kernels started as `PYTHON -m ipykernel_launcher ARGS`
 * can be forked; the launcher decides which.
 */
import { join } from 'node:path';
import type { CgroupFamily } from '../../sandbox/cgroup.js';
import { SandboxSetupError } from '../../sandbox/errors.js';
import type { Sandbox, SandboxedProcess, SandboxRequest } from '../../sandbox/sandbox.js';
import { programRlimits, releaseIntoCgroup } from '../../sandbox/start-held.js';
import { KernelZygote } from './kernel-zygote.js';

export interface ZygoteSandboxOptions {
  /** The environment each zygote starts with; Python fixes locale and flags at start-up. */
  env: Record<string, string>;
  /** Host paths the zygote's own sandbox hides, beyond the grading view's mask list. */
  hiddenPaths: string[];
  maskFile: string;
  /** The launcher's runtime folder: kernels' log files are written there. */
  runtimeRoot: string;
  cgroups: CgroupFamily | null;
}

export class ZygoteSandbox implements Sandbox {
  readonly kind = 'zygote';
  private readonly zygotes = new Map<string, Promise<KernelZygote>>();

  constructor(private readonly options: ZygoteSandboxOptions) {}

  async start(request: SandboxRequest): Promise<SandboxedProcess> {
    const [python, , , ...kernelArgs] = request.command;
    const { account, view, limits } = request;
    if (!account || python === undefined)
      throw new SandboxSetupError('A kernel forked from the zygote needs an account to run as.');
    // A fork binds only its writable folders; a read-only extra would silently be missing.
    if (view.readOnly?.length)
      throw new SandboxSetupError('A kernel forked from the zygote cannot see extra read-only paths.', {
        hint: 'Run it with the bubblewrap sandbox, which binds them.',
      });
    const zygote = await this.zygoteFor(python);
    const kernel = await zygote.fork({
      id: request.name,
      cwd: request.workingDirectory,
      env: request.env,
      kernelArgs,
      uid: account.uid,
      gid: account.gid,
      binds: view.writable,
      hidden: [...view.system.masked, ...view.hidden],
      tmpBytes: view.tmpBytes ?? 0,
      rlimits: programRlimits(limits, this.options.cgroups !== null),
      logFile: join(this.options.runtimeRoot, `${request.name}.log`),
    });
    return releaseIntoCgroup(kernel, this.options.cgroups, request.name, limits);
  }

  attach(): SandboxedProcess {
    throw new SandboxSetupError(
      'Kernels forked from the zygote die with their grader: none can be re-attached.',
    );
  }

  /** The zygote for this interpreter, started on first use and again if it has died. */
  private async zygoteFor(python: string): Promise<KernelZygote> {
    const running = this.zygotes.get(python);
    if (running) {
      const zygote = await running.catch(() => null);
      if (zygote?.alive) return zygote;
    }
    const starting = KernelZygote.start({
      python,
      env: this.options.env,
      hiddenPaths: this.options.hiddenPaths,
      maskFile: this.options.maskFile,
      runtimeRoot: this.options.runtimeRoot,
    });
    this.zygotes.set(python, starting);
    return starting;
  }

  /** Stops the zygotes (kernels they forked die with them). */
  async close(): Promise<void> {
    for (const starting of this.zygotes.values()) (await starting.catch(() => null))?.close();
    this.zygotes.clear();
  }
}
