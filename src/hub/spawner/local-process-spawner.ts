/**
 * LocalProcessSpawner: each user's Jupyter server as a local process, run as a Unix account with
 * the user's name, in a private home, inside bubblewrap where it is available, with memory/CPU
 * limits (all of it through src/sandbox/).
 *
 * The server is a detached sandbox (its own session, its output in a log file, not a pipe), so it
 * keeps running when the hub stops; its pid, the kernel's start time for that pid, its cgroups,
 * port and token are the state the hub saves to re-attach later.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { chown, lstat, mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { bubblewrapAvailable, BWRAP } from '../../sandbox/bubblewrap-args.js';
import { BubblewrapSandbox } from '../../sandbox/bubblewrap-sandbox.js';
import { cgroupsWritable, SERVER_CGROUPS } from '../../sandbox/cgroup.js';
import { archiveHome } from '../../sandbox/home-archive.js';
import { loopbackPortHeldBy } from '../../sandbox/listening-sockets.js';
import { ensureMaskFile } from '../../sandbox/mask-file.js';
import { cgroupRanOutOfMemory } from '../../sandbox/out-of-memory.js';
import { NoSandbox } from '../../sandbox/no-sandbox.js';
import { ensurePrivateFolder } from '../../sandbox/private-folder.js';
import type { Sandbox, SandboxedProcess } from '../../sandbox/sandbox.js';
import { USER_SERVER_VIEW } from '../../sandbox/system-view.js';
import { ensureUnixAccount, removeUnixAccount, type UnixAccount } from '../../sandbox/unix-accounts.js';
import { SpawnerError, UserOptionsError } from './errors.js';
import { freeLoopbackPort } from './free-port.js';
import { localUserStorage } from './local-user-storage.js';
import { ensureLauncher, singleuserEnv, singleuserReadOnlyPaths } from './singleuser.js';
import { describeLimits, serverLimits, type LimitSettings } from './server-limits.js';
import type {
  PollResult,
  ServerExit,
  SpawnedServer,
  Spawner,
  SpawnerState,
  SpawnRequest,
  UserOptions,
  UserStorage,
} from './spawner.js';

export interface LocalProcessSpawnerOptions extends LimitSettings {
  command: string[];
  /** Arguments with {base_url}, {port}, {home} placeholders. */
  args: string[];
  homeRoot: string;
  sandbox: 'auto' | 'bubblewrap' | 'none';
  environment: Record<string, string>;
  /** Where server logs go (one file per server, owned by the hub, not the user). */
  logDir: string;
  /**
   * Hold the limits with cgroup v1 where this hub may write them (default); false always uses the
   * rlimit stand-ins (tests of the fallback, or a host whose cgroups another manager owns).
   */
  cgroups?: boolean;
  log: FastifyBaseLogger;
  /**
   * The egress policy (src/sandbox/egress-policy.ts): `admit` puts the account under it before the
   * server starts, true when it holds. None: servers have the host's network unrestricted.
   */
  egress?: { admit(uid: number): Promise<boolean> };
  /**
   * The course directories the user's server works in (an instructor's or grader's courses),
   * asked at each start: each is seen at ~/COURSE_ID, writable, with the course's Unix group as a
   * supplementary group. None: the server sees no course directory (students, a hub without courses).
   */
  courseFolders?: (userName: string) => Promise<CourseFolder[]>;
}

/** A course directory a server works in: bound at ~/`course`, reached through the group `gid`. */
export interface CourseFolder {
  course: string;
  directory: string;
  /** The course's Unix group (`ch-ID`); undefined on a hub without course groups (not root). */
  gid: number | undefined;
}

/**
 * The mask of servers that work in course directories: files and folders they make are
 * group-readable and -writable, so with the setgid course folders (group `ch-ID`) what one
 * instructor makes stays readable and writable to the course's other instructors and graders;
 * "others" get nothing. A umask rather than a default ACL: it needs no ACL tools or file-system
 * support, and it holds for everything the server starts (kernels, terminals, git). The home
 * itself stays 0700, so its files are no more open than before.
 */
const COURSE_UMASK = 0o007;

/** Where the server listens: with the sandbox's own state, what `getState` saves. */
interface ServerAddress {
  port: number;
  token: string;
  url: string;
}

/**
 * The folder of the empty, unreadable file bound over each masked file in a server's sandbox
 * (mask-file.ts): one of the hub's own, traversable (0711) because bwrap runs as the user.
 */
const MASK_FOLDER = join(
  tmpdir(),
  process.getuid?.() === 0 ? 'coursehub-servers' : `coursehub-servers-${process.getuid?.()}`,
);

/** How long `stop` waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The local spawner has nothing for a user to choose: any option is refused, by name. */
function refuseUserOptions(options: UserOptions | undefined): void {
  const names = Object.keys(options ?? {});
  if (names.length === 0) return;
  throw new UserOptionsError(
    `The local spawner takes no user options, but the start request has ${names.map((n) => `"${n}"`).join(', ')}.`,
    { hint: 'Start the server without options: spawner.class "local" has none to choose from.' },
  );
}

/** Whether `program` can be run: a path to an executable, or a name found on `path`. */
function runnable(program: string, path: string): boolean {
  const candidates = program.includes('/') ? [program] : path.split(':').map((dir) => join(dir, program));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export class LocalProcessSpawner implements Spawner {
  readonly kind = 'local';
  readonly storage: UserStorage;
  private process: SandboxedProcess | undefined;
  private address: ServerAddress | undefined;
  /** Exit status of the last server this spawner stopped, for `poll` afterwards. */
  private lastExit: number | undefined;
  private chosenSandbox: Sandbox | undefined;
  private viewAsRootSandbox: BubblewrapSandbox | undefined;

  constructor(
    private readonly userName: string,
    private readonly serverName: string,
    private readonly options: LocalProcessSpawnerOptions,
  ) {
    this.storage = localUserStorage(() => this.account(), this.runsAsRoot, join(options.homeRoot, userName));
  }

  private get runsAsRoot(): boolean {
    return process.getuid?.() === 0;
  }

  /** The sandbox of `spawner.local.sandbox`, with cgroups where this hub may write them. */
  private get sandbox(): Sandbox {
    if (!this.chosenSandbox) {
      const setting = this.options.sandbox;
      const cgroups =
        this.options.cgroups !== false && this.runsAsRoot && cgroupsWritable(SERVER_CGROUPS)
          ? SERVER_CGROUPS
          : null;
      const bubblewrap = setting === 'bubblewrap' || (setting === 'auto' && bubblewrapAvailable());
      // The server's files are its own: it is started as its account, and bwrap builds the
      // sandbox in a user namespace.
      this.chosenSandbox = bubblewrap
        ? new BubblewrapSandbox({
            cgroups,
            becomeAccount: 'before',
            maskFile: join(MASK_FOLDER, 'masked-file'),
          })
        : new NoSandbox({ cgroups });
    }
    return this.chosenSandbox;
  }

  /**
   * The sandbox of a server that works in course directories: under bubblewrap, one that builds
   * the view as root (the course directory lies below the hub's 0700 data directory, which the
   * account cannot traverse to bind it itself) and drops to the account right before Jupyter.
   */
  private sandboxFor(mounts: readonly CourseFolder[]): Sandbox {
    const sandbox = this.sandbox;
    if (mounts.length === 0 || !(sandbox instanceof BubblewrapSandbox) || !this.runsAsRoot) return sandbox;
    this.viewAsRootSandbox ??= new BubblewrapSandbox({
      cgroups: this.options.cgroups !== false && cgroupsWritable(SERVER_CGROUPS) ? SERVER_CGROUPS : null,
      becomeAccount: 'inside',
      maskFile: join(MASK_FOLDER, 'masked-file'),
    });
    return this.viewAsRootSandbox;
  }

  /**
   * The course folders this server sees, each with its place ~/COURSE_ID made (owned by the user,
   * empty: the mount point). A place that is something else (a link, a file) is left alone and
   * that course not bound: the spawner never binds over what it did not make. Without bubblewrap
   * there is nothing to bind with (a link would not do: the course directory lies below the 0700
   * data directory), so the server gets no course directory, and the log says so.
   */
  private async courseMounts(account: UnixAccount, bubblewrap: boolean): Promise<CourseFolder[]> {
    const folders = (await this.options.courseFolders?.(this.userName)) ?? [];
    if (folders.length > 0 && !bubblewrap) {
      this.options.log.warn(
        { user: this.userName, courses: folders.map((folder) => folder.course) },
        'course directories are put in servers by bubblewrap, which this server runs without: it gets none',
      );
      return [];
    }
    const usable: CourseFolder[] = [];
    for (const folder of folders) {
      const place = join(account.home, folder.course);
      const existing = await lstat(place).catch(() => undefined);
      if (!existing) {
        await mkdir(place, { mode: 0o700 });
        if (this.runsAsRoot) await chown(place, account.uid, account.gid);
      } else if (!existing.isDirectory()) {
        this.options.log.warn(
          { user: this.userName, course: folder.course, place },
          'the course directory is not put in the home: something else is at its place',
        );
        continue;
      }
      usable.push(folder);
    }
    return usable;
  }

  /** The user's account and home: made on first use as root; a folder of the hub's own otherwise. */
  private async account(): Promise<UnixAccount> {
    if (this.runsAsRoot) return ensureUnixAccount(this.userName, this.options.homeRoot);
    const me = userInfo();
    const home = join(this.options.homeRoot, this.userName);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    return { name: me.username, uid: me.uid, gid: me.gid, home };
  }

  async start(request: SpawnRequest): Promise<SpawnedServer> {
    refuseUserOptions(request.userOptions);
    if (this.options.sandbox === 'bubblewrap' && !bubblewrapAvailable())
      throw new SpawnerError(`spawner.local.sandbox is "bubblewrap" but ${BWRAP} is missing.`, {
        hint: 'Install the Debian package bubblewrap, or set spawner.local.sandbox to "auto" or "none".',
      });
    const progress = request.onProgress ?? (() => undefined);
    progress({ progress: 10, message: 'Preparing your account and home directory' });
    const account = await this.account();
    if (!this.runsAsRoot)
      // No other accounts can be made or switched to: every server runs as the hub's own user in
      // a per-user folder. Fine for one person trying coursehub, not for a class.
      this.options.log.warn(
        { user: this.userName },
        "hub is not running as root: the server runs as the hub's own user (%s), not as a separate account",
        account.name,
      );
    await ensurePrivateFolder(MASK_FOLDER, 0o711, 'folder of the servers’ mask file');
    await ensureMaskFile(MASK_FOLDER);
    // The `coursehub` launcher every server has on its PATH (singleuser.ts), beside the mask file.
    const launcherFolder = await ensureLauncher(MASK_FOLDER);
    const port = await freeLoopbackPort();
    const token = randomBytes(32).toString('hex');
    const values = { base_url: request.baseUrl, port: String(port), home: account.home };
    const command = [...this.options.command, ...this.options.args.map((a) => fill(a, values))];
    // USER.SERVER for a named server: usernames have no dot, so user "a-b" and user "a"'s server
    // "b" never share a process group or log file (server names: hub/servers/named-servers.ts).
    const groupName = `${this.userName}${this.serverName ? `.${this.serverName}` : ''}`;
    // Only what the server needs: JupyterHub's variables and the basics. Nothing is inherited
    // from the hub's environment, which may hold database passwords or OAuth secrets.
    const env: Record<string, string> = {
      ...this.options.environment,
      ...request.hubEnv,
      // JupyterHub's variables only the spawner knows: where the server listens, its root folder.
      JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${port}${request.baseUrl}`,
      JUPYTERHUB_ROOT_DIR: account.home,
      HOME: account.home,
      USER: account.name,
      LOGNAME: account.name,
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      JUPYTER_TOKEN: token,
      ...singleuserEnv(launcherFolder, DEFAULT_PATH, this.options.environment.JUPYTER_CONFIG_PATH),
    };

    // Under the egress policy before it runs (it refuses, rather than let the server run without).
    const restricted = this.runsAsRoot && ((await this.options.egress?.admit(account.uid)) ?? false);

    progress({ progress: 30, message: 'Starting the Jupyter server' });
    mkdirSync(this.options.logDir, { recursive: true, mode: 0o700 });
    const logFile = join(this.options.logDir, `${groupName}.log`);
    const mounts = await this.courseMounts(account, this.sandbox instanceof BubblewrapSandbox);
    const groups = mounts.flatMap((folder) => (folder.gid === undefined ? [] : [folder.gid]));
    const sandbox = this.sandboxFor(mounts);
    let running: SandboxedProcess;
    try {
      if (!runnable(command[0]!, DEFAULT_PATH)) throw new Error('no such program');
      running = await sandbox.start({
        name: groupName,
        command,
        account: groups.length > 0 ? { ...account, groups } : account,
        view: {
          system: USER_SERVER_VIEW,
          readOnly: singleuserReadOnlyPaths(launcherFolder, USER_SERVER_VIEW.readOnly),
          writable: [account.home],
          mounts: mounts.map((folder) => ({
            source: folder.directory,
            target: join(account.home, folder.course),
          })),
          hidden: [],
        },
        ...(mounts.length > 0 ? { umask: COURSE_UMASK } : {}),
        // The proxy reaches the server on 127.0.0.1.
        network: 'host',
        limits: serverLimits(this.options, this.runsAsRoot),
        env,
        workingDirectory: account.home,
        lifetime: { kind: 'detached', logFile },
      });
    } catch (error) {
      throw new SpawnerError(`Could not run ${command[0]}: ${(error as Error).message}`, {
        hint: 'Check spawner.local.command in the configuration (and that jupyter-notebook is installed).',
        cause: error,
      });
    }
    const url = `http://127.0.0.1:${port}${request.baseUrl}`;
    this.process = running;
    this.address = { port, token, url };
    this.lastExit = undefined;
    this.options.log.info(
      {
        user: this.userName,
        server: this.serverName,
        pid: running.pid,
        port,
        account: account.name,
        sandbox: sandbox.kind,
        egress: restricted ? 'policy' : 'unrestricted',
        courses: mounts.map((folder) => folder.course),
        log: logFile,
      },
      'started user server; limits: %s',
      describeLimits(this.options, running.cgroup !== null, this.runsAsRoot),
    );
    progress({ progress: 50, message: 'Server process started, waiting for it to answer' });
    return { url, token };
  }

  async poll(): Promise<PollResult> {
    const running = this.process;
    if (!running) return this.lastExit ?? 0;
    if (running.exitCode !== null) return running.exitCode;
    if (running.alive) return null;
    // Our own child: /proc may show it gone a moment before Node reports its exit status.
    await running.wait(1_000);
    // Not our child (re-attached after a hub restart): its exit status is not ours to know.
    return running.exitCode ?? -1;
  }

  /**
   * The server listens on a loopback port of the host's network: the listening socket must be held
   * by a process of the server's own sandbox (its cgroup, or its process tree without one).
   */
  async ownsAddress(): Promise<boolean> {
    const running = this.process;
    const address = this.address;
    if (!running || !address) return false;
    return loopbackPortHeldBy(address.port, running.processes());
  }

  describeExit(): ServerExit {
    const running = this.process;
    if (!running) return { message: 'not started', outOfMemory: false };
    return {
      message: running.describeExit(),
      outOfMemory: running.cgroup !== null && cgroupRanOutOfMemory(running.cgroup.dirs),
    };
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running) return;
    // SIGTERM to the server's process group, SIGKILL after the grace; kernels run in sessions of
    // their own and survive a group kill: the cgroup knows them all.
    await running.stop(STOP_GRACE_MS);
    this.lastExit = running.exitCode ?? undefined;
    this.process = undefined;
    this.address = undefined;
  }

  /**
   * For the default server (named servers share the user's home): the user's account and home, as
   * coursehub made them, go for good. The home is archived, root-only (src/sandbox/home-archive.ts),
   * never left where a new user of the same name would get it. An account coursehub did not make is
   * left alone (it was never used: ensureUnixAccount refuses it).
   */
  async deleteForever(): Promise<void> {
    await this.stop();
    if (this.serverName !== '') return;
    const { homeRoot, log } = this.options;
    if (!this.runsAsRoot) {
      // A hub that is not root made a plain folder HOME_ROOT/NAME; archive that and nothing else.
      const home = resolve(homeRoot, this.userName);
      if (dirname(home) === resolve(homeRoot) && basename(home) === this.userName && existsSync(home)) {
        const archivedHome = await archiveHome(this.userName, home, homeRoot);
        log.info({ user: this.userName, archivedHome }, "archived a removed user's home");
      }
      return;
    }
    const removal = await removeUnixAccount(this.userName, homeRoot);
    if (removal.outcome === 'removed')
      log.info(
        { user: this.userName, uid: removal.uid, archivedHome: removal.archivedHome },
        "removed a removed user's Unix account and archived its home",
      );
    else if (removal.outcome === 'not-made-by-coursehub')
      log.warn(
        { user: this.userName, uid: removal.account.uid, home: removal.account.home },
        'the Unix account of this name was not made by coursehub; it is left alone',
      );
  }

  getState(): SpawnerState {
    return this.process && this.address ? { ...this.process.state(), ...this.address } : {};
  }

  loadState(state: SpawnerState): void {
    const s = state as Partial<
      ServerAddress & { pid: number; startTime: string; cgroupDirs: unknown; programDepth: unknown }
    >;
    if (
      typeof s.pid !== 'number' ||
      typeof s.port !== 'number' ||
      typeof s.token !== 'string' ||
      typeof s.url !== 'string'
    ) {
      this.process = undefined;
      this.address = undefined;
      return;
    }
    this.process = this.sandbox.attach({
      pid: s.pid,
      startTime: String(s.startTime ?? ''),
      cgroupDirs: Array.isArray(s.cgroupDirs) ? s.cgroupDirs.map(String) : [],
      programDepth: typeof s.programDepth === 'number' ? s.programDepth : 0,
    });
    this.address = { port: s.port, token: s.token, url: s.url };
  }

  current(): SpawnedServer | undefined {
    return this.address ? { url: this.address.url, token: this.address.token } : undefined;
  }

  /** The server's pid (tests read its /proc entries). */
  pid(): number | undefined {
    return this.process?.pid;
  }
}
