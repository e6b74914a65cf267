/**
 * THE isolation interface. A `Sandbox` runs one program (a grading kernel, a user's Jupyter
 * server) as an account, seeing only what its request lets it see, with or without a network,
 * under limits, and hands back a `SandboxedProcess` to wait for, signal and stop it.
 *
 * Implementations side by side: `bubblewrap` (bubblewrap-sandbox.ts), `none` (no-sandbox.ts: the
 * account's rights and the limits only), and the kernel zygote's forks (src/kernel/zygote/). A
 * container sandbox fits the same request: the command is the container's, the account its
 * user, the writable folders its volumes, `network: 'none'` no network, the limits its --memory,
 * --cpus and --pids-limit, and a detached container is found again from its state.
 */
import type { Cgroup, CgroupLimits } from './cgroup.js';
import type { Rlimits } from './rlimits.js';
import type { SystemView } from './system-view.js';

/** The Unix account a sandboxed program runs as. */
export interface SandboxAccount {
  name: string;
  uid: number;
  gid: number;
  /** Supplementary groups it keeps (an instructor's course groups); none when absent. */
  groups?: readonly number[];
}

/** What the program sees of the host's files. */
export interface SandboxView {
  /** The system folders it sees read-only, and the paths hidden in them (system-view.ts). */
  system: SystemView;
  /** Host folders it may write (a home, a working copy), seen at their own path. */
  writable: string[];
  /**
   * Host paths it sees read-only at their own path beyond the system view (the coursehub
   * installation a user server's `coursehub` command runs from). A symbolic link is seen as the
   * same link, with its target read-only at the target's own path.
   */
  readOnly?: string[];
  /** Host paths to hide beyond the view's own mask list (the hub's data under a bound folder). */
  hidden: string[];
  /**
   * Host folders it may write, seen at another path (an instructor's course directories at
   * ~/COURSE_ID). Bound by a sandbox that builds its view as root (it may bind a folder the account
   * could not traverse to); a sandbox without a view of its own ignores them.
   */
  mounts?: { source: string; target: string }[];
  /** Size cap of its private in-memory /tmp; undefined: none. */
  tmpBytes?: number;
}

/**
 * Limits of everything the program starts. Memory, processes and CPU are held by a cgroup where
 * the sandbox has cgroups; where it has none, `rlimitsWithoutCgroup` stand in for them (coarser:
 * per process, or per user).
 */
export interface SandboxLimits extends CgroupLimits {
  /** Set on the program always (no core dumps, file size, open files). */
  rlimits: Rlimits;
  /** Set on the program instead of the cgroup limits when there is no cgroup. */
  rlimitsWithoutCgroup: Rlimits;
}

/**
 * `with-caller`: the sandbox ends when the calling process does, and its output comes back through
 * pipes (grading). `detached`: it outlives the caller (a later hub process finds it again with
 * `attach`), and its output is appended to `logFile`, a file the program cannot see (user servers).
 */
export type SandboxLifetime = { kind: 'with-caller' } | { kind: 'detached'; logFile: string };

export interface SandboxRequest {
  /** Unique among running sandboxes: names its cgroup (and a container, later). */
  name: string;
  /** The program and its arguments. */
  command: string[];
  /** The account it runs as; undefined: the caller's own (a hub that is not root has no other). */
  account?: SandboxAccount;
  view: SandboxView;
  /** `none`: a network namespace of its own with only a loopback; `host`: the host's network. */
  network: 'none' | 'host';
  limits: SandboxLimits;
  /** Its whole environment: nothing is inherited from the caller's. */
  env: Record<string, string>;
  workingDirectory: string;
  lifetime: SandboxLifetime;
  /** The file mode creation mask it starts with (0o007: group-shared files); default: the hub's. */
  umask?: number;
}

/** What `Sandbox.attach` needs in a later hub process to find a detached sandbox again. */
export interface SandboxState {
  pid: number;
  /** /proc start time of `pid`, so a recycled pid is not mistaken for the sandbox. */
  startTime: string;
  cgroupDirs: string[];
  /** How far below `pid` the program runs (see `programPid`); absent in states saved before it was. */
  programDepth?: number;
}

export interface SandboxedProcess {
  /** Host pid of the sandbox's outermost process (bwrap, or the program without one); it leads the process group. */
  readonly pid: number;
  /** The cgroup holding its limits and every process it started; null where there is none. */
  readonly cgroup: Cgroup | null;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  readonly alive: boolean;
  /** Its exit status once known (128 + N when killed by signal N); null while it runs or when unknowable. */
  readonly exitCode: number | null;
  /** The program's own host pid (below bwrap and its init), or null if it is gone. */
  programPid(): number | null;
  /**
   * Every live process of the sandbox, by host pid: its cgroup's where it has one (daemons that
   * left the process tree included), else the process tree below `pid`.
   */
  processes(): number[];
  /** How it ended, with its last messages where they were kept, for error messages. */
  describeExit(): string;
  /** Signals the program and what it started (its process group; a forked kernel's namespace on SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  /** Waits up to `ms` for it to exit; true if it has. */
  wait(ms: number): Promise<boolean>;
  /** SIGTERM, up to `graceMs` to exit, SIGKILL, then kills whatever is left in its cgroup and removes the group. */
  stop(graceMs: number): Promise<void>;
  /** What to save so that a later hub process can `attach` (for a detached sandbox). */
  state(): SandboxState;
}

export interface Sandbox {
  /** `bubblewrap`, `none`, ...: for logs. */
  readonly kind: string;
  /** Starts the program; resolves once it runs inside its limits (it is held until it is in its cgroup). */
  start(request: SandboxRequest): Promise<SandboxedProcess>;
  /** A detached sandbox started by an earlier hub process, from its saved state. */
  attach(state: SandboxState): SandboxedProcess;
}
