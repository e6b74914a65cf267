/**
 * No isolation but the account's own rights and the limits: the program sees the host's files
 * and network as its account does. What a hub that is not root can always do, and what
 * `--unsafe-no-sandbox` grading and `spawner.local.sandbox: none` choose.
 */
import { AttachedProcess } from './attached-process.js';
import type { CgroupFamily } from './cgroup.js';
import { prlimitArgs } from './rlimits.js';
import type { Sandbox, SandboxedProcess, SandboxRequest, SandboxState } from './sandbox.js';
import { SpawnedProcess } from './spawned-process.js';
import { programRlimits, releaseIntoCgroup } from './start-held.js';

export interface NoSandboxOptions {
  /** The cgroup family its processes' groups go in; null: no cgroups (the rlimit stand-ins apply). */
  cgroups: CgroupFamily | null;
}

export class NoSandbox implements Sandbox {
  readonly kind = 'none';

  constructor(private readonly options: NoSandboxOptions) {}

  async start(request: SandboxRequest): Promise<SandboxedProcess> {
    const rlimits = programRlimits(request.limits, this.options.cgroups !== null);
    const held = await SpawnedProcess.spawnHeld({
      command: [...prlimitArgs(rlimits), ...request.command],
      env: request.env,
      cwd: request.workingDirectory,
      // Only root can start a process as another account.
      runAs: request.account && process.getuid?.() === 0 ? request.account : undefined,
      lifetime: request.lifetime,
      shellStays: false,
      programDepth: 0,
      ...(request.umask === undefined ? {} : { umask: request.umask }),
    });
    return releaseIntoCgroup(held, this.options.cgroups, request.name, request.limits);
  }

  attach(state: SandboxState): SandboxedProcess {
    return new AttachedProcess(state);
  }
}
