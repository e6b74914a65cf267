/**
 * The bubblewrap sandbox: the program sees the system folders of its view read-only (secrets
 * masked), a fresh /proc, a minimal /dev, a private /tmp and the folders it may write; it has a
 * pid, IPC and UTS namespace of its own, and no network unless the request asks for the host's.
 * Killing bwrap's process group ends the pid namespace, so nothing it started survives that.
 */
import { realpathSync } from 'node:fs';
import { bubblewrapArgs, type BubblewrapPlan, type Namespace } from './bubblewrap-args.js';
import { AttachedProcess } from './attached-process.js';
import type { CgroupFamily } from './cgroup.js';
import { prlimitArgs } from './rlimits.js';
import type { Sandbox, SandboxedProcess, SandboxRequest, SandboxState } from './sandbox.js';
import { SpawnedProcess } from './spawned-process.js';
import { programRlimits, releaseIntoCgroup } from './start-held.js';

export interface BubblewrapSandboxOptions {
  /** The cgroup family its sandboxes' groups go in; null: no cgroups (the rlimit stand-ins apply). */
  cgroups: CgroupFamily | null;
  /**
   * How the program becomes the request's account when the caller is root. `inside`: bwrap runs
   * as root, so it can bind folders the account could not even traverse (a grader's 0700 temp
   * copies), and setpriv drops to the account right before the program (grading). `before`: the
   * process is started as the account and bwrap builds the sandbox in a user namespace (user
   * servers, whose folders are their own).
   */
  becomeAccount: 'inside' | 'before';
  /** The empty mode-000 file bound over masked files (mask-file.ts); needed when anything is masked. */
  maskFile?: string;
}

export class BubblewrapSandbox implements Sandbox {
  readonly kind = 'bubblewrap';

  constructor(private readonly options: BubblewrapSandboxOptions) {}

  async start(request: SandboxRequest): Promise<SandboxedProcess> {
    const { account, view, limits } = request;
    const detached = request.lifetime.kind === 'detached';
    const asRoot = process.getuid?.() === 0;
    const dropInside = account !== undefined && asRoot && this.options.becomeAccount === 'inside';
    const namespaces: Namespace[] = ['ipc', 'pid'];
    if (request.network === 'none') namespaces.push('net');
    namespaces.push('uts');
    if (view.system.ownCgroupNamespace) namespaces.push('cgroup-try');
    const command = bubblewrapArgs(
      {
        namespaces,
        // Every sandbox dies with the process its caller watches, so that no kill of that process
        // leaves the program running unseen (holding its memory and port) where no cgroup sweeps up.
        dieWithParent: true,
        newSession: !detached,
        view: view.system,
        tmpBytes: view.tmpBytes,
        ...readOnlyPaths(view.readOnly ?? []),
        writable: view.writable,
        writableBinds: view.mounts ?? [],
        hidden: view.hidden,
        maskFile: this.options.maskFile,
        chdir: request.workingDirectory,
        dropTo: dropInside ? account : undefined,
      },
      [...prlimitArgs(programRlimits(limits, this.options.cgroups !== null)), ...request.command],
    );
    const held = await SpawnedProcess.spawnHeld({
      command,
      env: request.env,
      cwd: request.workingDirectory,
      runAs: account && asRoot && !dropInside ? account : undefined,
      lifetime: request.lifetime,
      // Detached, bwrap must not die with the hub: the gate shell stays as its parent and is the
      // process the hub watches (shell -> bwrap -> the sandbox's init -> the program).
      shellStays: detached,
      programDepth: detached ? 3 : 2,
      ...(request.umask === undefined ? {} : { umask: request.umask }),
    });
    return releaseIntoCgroup(held, this.options.cgroups, request.name, limits);
  }

  attach(state: SandboxState): SandboxedProcess {
    return new AttachedProcess(state);
  }
}

/**
 * A view's extra read-only paths as binds at their own path; a symbolic link (a worktree's
 * node_modules) stays a link inside, its target bound at the target's own path, so that paths
 * Node has resolved on the host (a loader's) are the same inside.
 */
function readOnlyPaths(paths: string[]): Pick<BubblewrapPlan, 'readOnlyBinds' | 'symlinks'> {
  const readOnlyBinds: { source: string; target: string }[] = [];
  const symlinks: { target: string; path: string }[] = [];
  for (const path of paths) {
    const real = realpathSync(path);
    readOnlyBinds.push({ source: real, target: real });
    if (real !== path) symlinks.push({ target: real, path });
  }
  return { readOnlyBinds, symlinks };
}
