/**
 * LocalProcessSpawner: each user's Jupyter server as a local process, run as a Unix account with
 * the user's name, in a private home, optionally inside bubblewrap, with memory/CPU limits.
 *
 * The process is started detached (its own session) with its output in a log file, not a pipe,
 * so it keeps running when the hub stops; its pid, the kernel's start time for that pid, its port
 * and token are the state the hub saves to re-attach later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { BWRAP, bubblewrapAvailable, bubblewrapPrefix } from './bubblewrap.js';
import { SpawnerError } from './errors.js';
import { freeLoopbackPort } from './free-port.js';
import { isSameProcessAlive, processStartTime } from './process-info.js';
import {
  cgroupPids,
  describeLimits,
  joinCgroups,
  prepareCgroups,
  removeCgroups,
  rlimitWrapper,
  type LimitSettings,
} from './resource-limits.js';
import type { PollResult, SpawnedServer, Spawner, SpawnerState, SpawnRequest } from './spawner.js';
import { ensureUnixAccount, type UnixAccount } from './unix-account.js';

export interface LocalProcessSpawnerOptions extends LimitSettings {
  command: string[];
  /** Arguments with {base_url}, {port}, {home} placeholders. */
  args: string[];
  homeRoot: string;
  sandbox: 'auto' | 'bubblewrap' | 'none';
  environment: Record<string, string>;
  /** Where server logs go (one file per server, owned by the hub, not the user). */
  logDir: string;
  log: FastifyBaseLogger;
}

interface LocalState {
  pid: number;
  /** /proc start time of `pid`, so a recycled pid is not mistaken for the server. */
  startTime: string;
  port: number;
  token: string;
  url: string;
  cgroupDirs: string[];
}

/** How long `stop` waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin';

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export class LocalProcessSpawner implements Spawner {
  readonly kind = 'local';
  private state: LocalState | undefined;
  private child: ChildProcess | undefined;
  private exitCode: number | undefined;
  /** Settles when our child's exit has been reported (only for servers this process started). */
  private exited: Promise<void> | undefined;

  constructor(
    private readonly userName: string,
    private readonly serverName: string,
    private readonly options: LocalProcessSpawnerOptions,
  ) {}

  private get runsAsRoot(): boolean {
    return process.getuid?.() === 0;
  }

  private useBubblewrap(): boolean {
    if (this.options.sandbox === 'none') return false;
    if (this.options.sandbox === 'bubblewrap' && !bubblewrapAvailable())
      throw new SpawnerError(`spawner.sandbox is "bubblewrap" but ${BWRAP} is missing.`, {
        hint: 'Install the Debian package bubblewrap, or set spawner.sandbox to "auto" or "none".',
      });
    return bubblewrapAvailable();
  }

  private async account(): Promise<UnixAccount> {
    if (this.runsAsRoot) return ensureUnixAccount(this.userName, this.options.homeRoot);
    // Not root: no other accounts can be made or switched to. Every server runs as the hub's
    // own user in a per-user folder: fine for one person trying coursehub, not for a class.
    const me = userInfo();
    const home = join(this.options.homeRoot, this.userName);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    this.options.log.warn(
      { user: this.userName },
      "hub is not running as root: the server runs as the hub's own user (%s), not as a separate account",
      me.username,
    );
    return { name: me.username, uid: me.uid, gid: me.gid, home };
  }

  async start(request: SpawnRequest): Promise<SpawnedServer> {
    const progress = request.onProgress ?? (() => undefined);
    progress({ progress: 10, message: 'Preparing your account and home directory' });
    const account = await this.account();
    const port = await freeLoopbackPort();
    const token = randomBytes(32).toString('hex');
    const values = { base_url: request.baseUrl, port: String(port), home: account.home };
    const serverArgv = [...this.options.command, ...this.options.args.map((a) => fill(a, values))];

    const groupName = `${this.userName}${this.serverName ? `-${this.serverName}` : ''}`;
    const cgroupDirs = this.runsAsRoot ? await prepareCgroups(groupName, this.options) : undefined;
    const sandboxed = this.useBubblewrap();
    const argv = [
      ...(cgroupDirs ? [] : rlimitWrapper(this.options)),
      ...(sandboxed ? bubblewrapPrefix(account.home) : []),
      ...serverArgv,
    ];
    // Only what the server needs: JupyterHub's variables and the basics. Nothing is inherited
    // from the hub's environment, which may hold database passwords or OAuth secrets.
    const env: Record<string, string> = {
      ...this.options.environment,
      ...request.hubEnv,
      HOME: account.home,
      USER: account.name,
      LOGNAME: account.name,
      SHELL: '/bin/bash',
      PATH: DEFAULT_PATH,
      LANG: 'C.UTF-8',
      JUPYTER_TOKEN: token,
    };

    progress({ progress: 30, message: 'Starting the Jupyter server' });
    mkdirSync(this.options.logDir, { recursive: true, mode: 0o700 });
    const logFile = join(this.options.logDir, `${groupName}.log`);
    const logFd = openSync(logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        cwd: account.home,
        env,
        // Root switches to the user's account; a hub that is not root has no other to switch to.
        ...(this.runsAsRoot ? { uid: account.uid, gid: account.gid } : {}),
        detached: true,
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      child.once('error', (error) =>
        reject(
          new SpawnerError(`Could not run ${argv[0]}: ${error.message}`, {
            hint: 'Check spawner.command in the configuration (and that jupyter-notebook is installed).',
            cause: error,
          }),
        ),
      );
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : -1);
        resolve();
      }),
    );
    child.unref();
    this.child = child;
    if (cgroupDirs) await joinCgroups(cgroupDirs, pid).catch(() => undefined);

    const url = `http://127.0.0.1:${port}${request.baseUrl}`;
    this.state = {
      pid,
      startTime: processStartTime(pid) ?? '',
      port,
      token,
      url,
      cgroupDirs: cgroupDirs ?? [],
    };
    this.options.log.info(
      {
        user: this.userName,
        server: this.serverName,
        pid,
        port,
        account: account.name,
        sandbox: sandboxed ? 'bubblewrap' : 'none',
        log: logFile,
      },
      'started user server; limits: %s',
      describeLimits(this.options, cgroupDirs !== undefined),
    );
    progress({ progress: 50, message: 'Server process started, waiting for it to answer' });
    return { url, token };
  }

  async poll(): Promise<PollResult> {
    if (this.exitCode !== undefined) return this.exitCode;
    if (!this.state) return 0;
    if (isSameProcessAlive(this.state.pid, this.state.startTime)) return null;
    // Our own child: /proc may show it gone a moment before Node reports its exit status.
    if (this.exited) await Promise.race([this.exited, sleep(1_000)]);
    // Not our child (re-attached after a hub restart): its exit status is not ours to know.
    return this.exitCode ?? -1;
  }

  async stop(): Promise<void> {
    const state = this.state;
    if (!state) return;
    if (isSameProcessAlive(state.pid, state.startTime)) {
      // The server leads its own process group (detached); signal the whole group.
      killQuietly(-state.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      while (Date.now() < deadline && isSameProcessAlive(state.pid, state.startTime)) await sleep(100);
      killQuietly(-state.pid, 'SIGKILL');
    }
    // Kernels run in sessions of their own and survive a group kill: the cgroup knows them all.
    for (let round = 0; round < 20; round++) {
      const left = await cgroupPids(state.cgroupDirs);
      if (left.length === 0) break;
      for (const pid of left) killQuietly(pid, 'SIGKILL');
      await sleep(50);
    }
    await removeCgroups(state.cgroupDirs);
    this.state = undefined;
  }

  getState(): SpawnerState {
    return this.state ? { ...this.state } : {};
  }

  loadState(state: SpawnerState): void {
    const s = state as Partial<LocalState>;
    if (
      typeof s.pid !== 'number' ||
      typeof s.port !== 'number' ||
      typeof s.token !== 'string' ||
      typeof s.url !== 'string'
    ) {
      this.state = undefined;
      return;
    }
    this.state = {
      pid: s.pid,
      startTime: String(s.startTime ?? ''),
      port: s.port,
      token: s.token,
      url: s.url,
      cgroupDirs: Array.isArray(s.cgroupDirs) ? s.cgroupDirs.map(String) : [],
    };
  }

  current(): SpawnedServer | undefined {
    return this.state ? { url: this.state.url, token: this.state.token } : undefined;
  }

  /** The server's pid (tests read its /proc entries). */
  pid(): number | undefined {
    return this.state?.pid;
  }
}
