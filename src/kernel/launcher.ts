/**
 * Starts kernels for grading: a fresh kernel per notebook, never pooled or shared, each with its own
 * runtime directory, ipc socket paths and cgroup, so several run side by side safely.
 */
import { randomUUID } from 'node:crypto';
import { chown, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelLauncher, KernelStartOptions } from '../grading/execution.js';
import { BubblewrapSandbox } from '../sandbox/bubblewrap-sandbox.js';
import { ContainerSandbox, type ContainerSandboxOptions } from '../sandbox/container-sandbox.js';
import { cgroupsWritable, KERNEL_CGROUPS, removeStaleCgroups } from '../sandbox/cgroup.js';
import { ensureMaskFile } from '../sandbox/mask-file.js';
import { NoSandbox } from '../sandbox/no-sandbox.js';
import { holdPidNamespace } from '../sandbox/process-tree.js';
import type { Sandbox, SandboxedProcess, SandboxRequest } from '../sandbox/sandbox.js';
import { GRADING_VIEW } from '../sandbox/system-view.js';
import { ensureGraderAccount, type UnixAccount } from '../sandbox/unix-accounts.js';
import { GRADER_ACCOUNT } from '../sandbox/account-names.js';
import { KernelChannels, stderrLogger, type KernelLogger } from './channels.js';
import { KernelStartError } from './errors.js';
import { getKernelSpec, type KernelSpec } from './kernelspec.js';
import { DEFAULT_LIMITS, rlimitsAlways, rlimitsWithoutCgroup, type KernelLimits } from './limits.js';
import { chownTree, ensureRuntimeRoot, writeConnectionFile } from './runtime-files.js';
import { ZygoteSandbox } from './zygote/zygote-sandbox.js';
import { DEFAULT_TIMINGS, JupyterKernelSession, KERNEL_ID_VARIABLE, type SessionTimings } from './session.js';

export interface KernelLauncherOptions {
  /**
   * 'bwrap' for grading; 'container' (with `container`) for a throwaway Docker container per
   * kernel, under the Docker spawner; 'none' only behind `--unsafe-no-sandbox`.
   */
  sandbox: 'bwrap' | 'container' | 'none';
  /** The Docker daemon and the course's image, for `sandbox: 'container'`. */
  container?: ContainerSandboxOptions;
  limits?: Partial<KernelLimits>;
  kernelspecDirs?: string[];
  pythonExecutable?: string;
  /** Where per-kernel runtime directories go (default: $TMPDIR/coursehub-kernels). */
  runtimeRoot?: string;
  /** The unprivileged account sandboxed kernels run as when the hub is root. */
  graderAccount?: string;
  /** Host paths to hide inside the sandbox even if they lie under a bound folder. */
  hiddenPaths?: string[];
  timings?: Partial<SessionTimings>;
  log?: KernelLogger;
  /** Use cgroup v1 limits when writable (default); false forces the rlimit fallback (tests). */
  cgroups?: boolean;
  /**
   * Fork ipykernel kernels from a zygote that has imported ipykernel once (default, as root with
   * bwrap); false starts every kernel with its own `bwrap ... python3 -m ipykernel_launcher`.
   */
  zygote?: boolean;
}

/** The launched session, with what tests and logs may inspect beyond KernelSession. */
export interface JupyterKernelLauncher extends KernelLauncher {
  start(options: KernelStartOptions): Promise<JupyterKernelSession>;
  /** Stops the kernel zygotes (kernels still running are not affected until they exit). */
  close(): Promise<void>;
}

const MINIMAL_PATH = '/usr/local/bin:/usr/bin:/bin';
/** What a sandboxed kernel's environment starts from (and the zygote's, which Python reads once). */
const SANDBOX_BASE_ENV: Record<string, string> = {
  PATH: MINIMAL_PATH,
  HOME: '/tmp',
  MPLCONFIGDIR: '/tmp/matplotlib',
  LANG: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
};

export function createKernelLauncher(options: KernelLauncherOptions): JupyterKernelLauncher {
  const limits: KernelLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const timings: SessionTimings = { ...DEFAULT_TIMINGS, ...options.timings };
  const log = options.log ?? stderrLogger;
  const isRoot = process.getuid?.() === 0;
  const runtimeRoot =
    options.runtimeRoot ??
    join(tmpdir(), isRoot ? 'coursehub-kernels' : `coursehub-kernels-${process.getuid?.()}`);
  const cgroups =
    options.cgroups !== false && isRoot && cgroupsWritable(KERNEL_CGROUPS) ? KERNEL_CGROUPS : null;
  if (cgroups) removeStaleCgroups(cgroups, 'kernel-');
  const maskFile = join(runtimeRoot, 'masked-file');
  if (options.sandbox === 'container' && !options.container)
    throw new KernelStartError('A container sandbox needs the Docker daemon and an image.');
  const sandbox: Sandbox =
    options.sandbox === 'bwrap'
      ? new BubblewrapSandbox({ cgroups, becomeAccount: 'inside', maskFile })
      : options.sandbox === 'container'
        ? new ContainerSandbox(options.container!)
        : new NoSandbox({ cgroups });
  // The zygote needs root: each fork mounts its own view and then drops to the grader account.
  const zygotes =
    options.zygote !== false && options.sandbox === 'bwrap' && isRoot
      ? new ZygoteSandbox({
          env: SANDBOX_BASE_ENV,
          hiddenPaths: options.hiddenPaths ?? [],
          maskFile,
          runtimeRoot,
          cgroups,
        })
      : null;

  return {
    async close(): Promise<void> {
      await zygotes?.close();
    },
    async start(start: KernelStartOptions): Promise<JupyterKernelSession> {
      const spec = getKernelSpec(start.kernelName, {
        kernelspecDirs: options.kernelspecDirs,
        pythonExecutable: options.pythonExecutable,
      });
      const account =
        options.sandbox !== 'none' && isRoot
          ? await ensureGraderAccount(options.graderAccount ?? GRADER_ACCOUNT)
          : null;
      const id = randomUUID();
      await ensureRuntimeRoot(runtimeRoot);
      await ensureMaskFile(runtimeRoot);
      const runtimeDir = join(runtimeRoot, id);
      await mkdir(runtimeDir, { mode: 0o700 });
      try {
        const connection = await writeConnectionFile(runtimeDir, spec);
        if (account) {
          // ipykernel rewrites its connection file and binds the ipc sockets: the kernel's user owns them.
          await chown(runtimeDir, account.uid, account.gid);
          await chown(join(runtimeDir, 'kernel.json'), account.uid, account.gid);
          await chownTree(start.workingDirectory, account);
        }
        const kernelArgv = withoutHistoryDatabase(
          spec.argv.map((arg) =>
            arg
              .replace('{connection_file}', join(runtimeDir, 'kernel.json'))
              .replace('{resource_dir}', spec.resourceDir ?? ''),
          ),
        );
        const request: SandboxRequest = {
          name: `kernel-${id}`,
          command: kernelArgv,
          account: account ?? undefined,
          view: {
            system: GRADING_VIEW,
            writable: [runtimeDir, start.workingDirectory],
            hidden: options.hiddenPaths ?? [],
            tmpBytes: limits.tmpBytes,
          },
          network: 'none',
          limits: {
            memoryBytes: limits.memoryBytes,
            maxProcesses: limits.maxProcesses,
            cpus: limits.cpus,
            rlimits: rlimitsAlways(limits),
            rlimitsWithoutCgroup: rlimitsWithoutCgroup(limits),
          },
          env: { ...kernelEnvironment(options.sandbox, spec, start, runtimeDir), [KERNEL_ID_VARIABLE]: id },
          workingDirectory: start.workingDirectory,
          lifetime: { kind: 'with-caller' },
        };
        const forked = zygotes !== null && account !== null && isForkable(kernelArgv, spec, start);
        const kernel = await (forked ? zygotes : sandbox).start(request);
        try {
          const channels = new KernelChannels(
            connection,
            log,
            Math.max(limits.maxOutputBytes * 2, 16 * 1024 ** 2),
          );
          channels.connect();
          try {
            await waitForReady(channels, kernel, start.startupTimeoutMs, spec.name);
          } catch (error) {
            channels.close();
            throw error;
          }
          channels.startHeartbeat(1000);
          // Sandboxed, the kernel runs below bwrap (or the zygote's holder) and the sandbox's init.
          const kernelPid = kernel.programPid() ?? kernel.pid;
          return new JupyterKernelSession({
            id,
            channels,
            process: kernel,
            runtimeDir,
            isolation: describeIsolation(options.sandbox, account, cgroups !== null, limits, forked),
            interruptMode: spec.interruptMode,
            kernelPid,
            pidNamespace: holdPidNamespace(kernelPid, process.pid),
            maxOutputBytes: limits.maxOutputBytes,
            timings,
            log,
          });
        } catch (error) {
          kernel.kill('SIGKILL');
          await kernel.cgroup?.remove();
          throw error;
        }
      } catch (error) {
        await rm(runtimeDir, { recursive: true, force: true });
        throw error;
      }
    },
  };
}

/**
 * The kernel's environment is built from scratch: the hub's own variables (database URLs, OAuth
 * secrets) never reach student code. Unsandboxed kernels keep the hub's PATH and get
 * JPY_PARENT_PID so they exit if the grader dies; sandboxed ones have bwrap's --die-with-parent
 * (and there ipykernel's parent poller would misread pid 1 as an orphaned parent).
 */
function kernelEnvironment(
  sandbox: KernelLauncherOptions['sandbox'],
  spec: KernelSpec,
  start: KernelStartOptions,
  runtimeDir: string,
): Record<string, string> {
  const base: Record<string, string> =
    sandbox === 'none'
      ? {
          PATH: process.env.PATH ?? MINIMAL_PATH,
          HOME: process.env.HOME ?? start.workingDirectory,
          JPY_PARENT_PID: String(process.pid),
        }
      : SANDBOX_BASE_ENV;
  return {
    ...base,
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    JUPYTER_RUNTIME_DIR: runtimeDir,
    IPYTHONDIR: sandbox === 'none' ? join(runtimeDir, 'ipython') : '/tmp/ipython',
    ...spec.env,
    ...start.env,
  };
}

/**
 * Ready means a kernel_info reply on shell AND a message on IOPub: a SUB socket drops what is
 * published before its subscription reaches the kernel, so outputs are only safe to collect once
 * IOPub has been seen working (jupyter_client's wait_for_ready does the same).
 */
async function waitForReady(
  channels: KernelChannels,
  kernel: SandboxedProcess,
  timeoutMs: number,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let iopubSeen = false;
  const stop = channels.onIopub(() => (iopubSeen = true));
  const check = () => {
    if (!kernel.alive) {
      throw new KernelStartError(`The ${name} kernel stopped while starting: ${kernel.describeExit()}`, {
        hint: 'Check that the kernel runs outside coursehub (`jupyter console --kernel NAME`).',
      });
    }
    if (Date.now() > deadline) {
      throw new KernelStartError(`The ${name} kernel did not become ready within ${timeoutMs} ms.`, {
        hint: 'The machine may be overloaded; raise the kernel startup timeout or grade fewer notebooks at once.',
      });
    }
  };
  try {
    // One request waits in the socket until the kernel binds, so it is answered as soon as it can be.
    const first = channels.send('shell', 'kernel_info_request', {});
    let replied = false;
    void first.reply.then(() => (replied = true));
    while (!replied) {
      check();
      await Promise.race([first.reply, sleep(50), kernel.exited]);
    }
    // Its IOPub status may have gone out before our subscription arrived: ask again until one is seen.
    while (!iopubSeen) {
      check();
      const again = channels.send('shell', 'kernel_info_request', {});
      await Promise.race([again.reply.then(() => sleep(20)), sleep(100), kernel.exited]);
      channels.forget(again.msgId);
    }
  } finally {
    stop();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeIsolation(
  sandbox: KernelLauncherOptions['sandbox'],
  account: UnixAccount | null,
  cgroups: boolean,
  limits: KernelLimits,
  forked: boolean,
): string {
  const parts: string[] = [];
  if (forked) {
    parts.push(
      'bwrap, kernel forked from the zygote into its own pid/mount/network namespaces (no network, private /tmp, read-only system, only the working directory writable)',
    );
  } else if (sandbox === 'bwrap') {
    parts.push('bwrap (no network, private /tmp, read-only system, only the working directory writable)');
  } else if (sandbox === 'container') {
    parts.push(
      'a Docker container (network none, private /tmp, read-only root file system, only the working directory writable)',
    );
  } else {
    parts.push('NO SANDBOX (--unsafe-no-sandbox): the kernel runs with the grader’s rights');
  }
  if (account) parts.push(`user ${account.name}`);
  const mib = Math.round(limits.memoryBytes / 1024 ** 2);
  parts.push(
    sandbox === 'container'
      ? `Docker limits: memory ${mib} MiB, pids ${limits.maxProcesses}, cpu ${limits.cpus}`
      : cgroups
        ? `cgroup v1: memory ${mib} MiB, pids ${limits.maxProcesses}, cpu ${limits.cpus}`
        : `rlimits: address space ${mib * 2} MiB, processes ${limits.maxProcesses} (cgroups not writable)`,
  );
  parts.push(`output ≤ ${Math.round(limits.maxOutputBytes / 1024 ** 2)} MiB per cell`);
  return parts.join('; ');
}

/**
 * A throwaway kernel has no use for IPython's SQLite history, and that database is a source of
 * noise in graded outputs: when a student's code makes a cell end without bumping the execution
 * count, the next cell's history write collides and IPython prints "Session/line number was not
 * unique in database" from its saving thread, into whichever cell is running at that moment.
 * Turning the database off keeps In/Out and `_` (they live in memory) and removes the race.
 */
function withoutHistoryDatabase(argv: string[]): string[] {
  const isIpykernel = argv.some((arg) => arg.includes('ipykernel'));
  return isIpykernel ? [...argv, '--HistoryManager.enabled=False'] : argv;
}

/**
 * Whether the kernel can be forked from the zygote: an ipykernel started as
 * `PYTHON -m ipykernel_launcher ...`, with nothing in its environment that Python reads only at
 * start-up (a fork inherits the zygote's interpreter as it is).
 */
function isForkable(argv: string[], spec: KernelSpec, start: KernelStartOptions): boolean {
  if (argv.length < 3 || argv[1] !== '-m' || argv[2] !== 'ipykernel_launcher') return false;
  if (!argv[0]!.startsWith('/')) return false;
  return !Object.keys({ ...spec.env, ...start.env }).some((name) => name.startsWith('PYTHON'));
}
