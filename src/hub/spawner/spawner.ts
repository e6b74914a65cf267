/**
 * The Spawner role, as JupyterHub has it: one object per (user, server name) that can start a
 * Jupyter server with the user's options, stop it, say whether it is still running, delete what it
 * keeps for the user for good, and reach the user's files (their storage) with the user's own
 * rights. Its `state` is a small JSON value the hub stores in the database, so a restarted hub can
 * rebuild the spawner and re-attach to a server that kept running. Implementations (local
 * processes now, Docker and Kubernetes later) sit side by side in this folder and are picked by
 * name in the `spawner.class` config key.
 */

import type { FolderTransfer } from '../../sandbox/folder-archive.js';

export type { FolderLimits, PackedFile } from '../../sandbox/folder-archive.js';

/** JupyterHub's `user_options`: JSON from the start request's body. */
export type UserOptions = Record<string, unknown>;

/** One step of a start, as JupyterHub's progress API reports it (0..100). */
export interface SpawnProgress {
  progress: number;
  message: string;
}

/** What the hub tells a spawner about the server it is to start. */
export interface SpawnRequest {
  /** Hub username; also the Unix account name for the local spawner. */
  userName: string;
  /** '' for the default server, else the named server's name. */
  serverName: string;
  /** URL prefix the server must serve under, e.g. `/user/alice/` (ends with a slash). */
  baseUrl: string;
  /**
   * JupyterHub's variables for the server (JUPYTERHUB_USER, JUPYTERHUB_API_TOKEN, ...). The spawner
   * adds HOME, USER, PATH, LANG and its own token; it must not add anything from the hub's own
   * environment.
   */
  hubEnv: Record<string, string>;
  /**
   * JupyterHub's `user_options`: what the user chose for this server (an image, a profile, ...) in
   * the start request; none is `{}`. A spawner refuses options it does not know (UserOptionsError).
   */
  userOptions?: UserOptions;
  /** Called at each step of the start. */
  onProgress?: (event: SpawnProgress) => void;
}

/** Where the started server listens, and the secret the proxy adds to requests on the way in. */
export interface SpawnedServer {
  /** Base URL of the server as the proxy reaches it, e.g. `http://127.0.0.1:41234/user/alice/`. */
  url: string;
  /** The server's own token (sent as `Authorization: token T`); never shown to a browser. */
  token: string;
}

/** null while the server runs; otherwise its exit status (-1 when unknown, e.g. after re-attach). */
export type PollResult = number | null;

/** How a server that stopped on its own ended, for the page that tells its user. */
export interface ServerExit {
  /** e.g. "killed by SIGKILL", "exited with code 1; its last messages: ..." */
  message: string;
  /** The server's memory cap was what ended it (its cgroup's OOM killer struck). */
  outOfMemory: boolean;
}

/** JSON-safe spawner state, stored in `servers.state`. */
export type SpawnerState = Record<string, unknown>;

/** One entry of a folder in the user's storage; symbolic links are listed as such, never followed. */
export interface StorageEntry {
  name: string;
  kind: 'file' | 'folder' | 'symbolic-link' | 'other';
  size: number;
  modified: Date;
}

/**
 * The user's files as the spawner keeps them (a home folder, a volume), for the hub's own uses
 * (the exchange: release, submit, collect, feedback). Every access has the user's own rights,
 * never the hub's, and works whether or not their server runs. Paths are relative to the storage's
 * root (`course/ps1/problem1.ipynb`); no symbolic link in them is followed. Failures are
 * AccountFileErrors (src/sandbox/errors.ts) saying why: not-found, permission-denied, symbolic-link, ...
 */
export interface UserStorage extends FolderTransfer {
  readFile(path: string, options?: { maxBytes?: number }): Promise<Buffer>;
  /** Replaces the whole file at once (written beside it, then renamed), making missing folders. */
  writeFile(path: string, data: Buffer | string): Promise<void>;
  /** The entries of a folder ('' or nothing: the root), sorted by name. */
  listFolder(path?: string): Promise<StorageEntry[]>;
  /**
   * Whether the storage exists yet, asked without making it (every other method makes it on first
   * use, as a start does): a backup skips users who never had any. Absent: assumed to exist.
   */
  exists?(): Promise<boolean>;
}

export interface Spawner {
  /** Short name of the implementation (`local`, `docker`, ...), for logs and the admin page. */
  readonly kind: string;
  /** Starts the server process and resolves once it was launched (the hub checks readiness). */
  start(request: SpawnRequest): Promise<SpawnedServer>;
  /** Stops the server and everything it started; resolves when it is gone. Safe to call twice. */
  stop(): Promise<void>;
  poll(): Promise<PollResult>;
  /**
   * Whether what listens at the server's address is this spawner's server, and not a process that
   * took the port before the server could bind it. The hub asks before it trusts the address with
   * the server's token (the proxy adds it to every request), as readiness.ts does.
   */
  ownsAddress(): Promise<boolean>;
  /**
   * How a server that `poll` found gone ended; asked before `stop` cleans up after it (the local
   * spawner reads the cgroup, which stopping removes). Optional: a spawner that cannot tell
   * leaves it out.
   */
  describeExit?(): ServerExit;
  /** State to save so that `loadState` in a later hub process re-attaches to the same server. */
  getState(): SpawnerState;
  loadState(state: SpawnerState): void;
  /** The server's address and token as last started or loaded, or undefined when none. */
  current(): SpawnedServer | undefined;
  /**
   * JupyterHub's delete_forever: stops the server, then removes for good what the spawner keeps
   * for it (the local spawner: for the default server, the user's account and home as coursehub
   * made them; Docker: its volume). The hub calls it when the user is removed.
   */
  deleteForever(): Promise<void>;
  /** The user's files, with the user's own rights; works while the server is stopped. */
  readonly storage: UserStorage;
}

/** Builds a fresh spawner for one (user, server name); the config decides which class. */
export type SpawnerFactory = (userName: string, serverName: string) => Spawner;
