/**
 * The Spawner role, as JupyterHub has it: one object per (user, server name) that can start a
 * Jupyter server, stop it, and say whether it is still running. Its `state` is a small JSON value
 * the hub stores in the database, so a restarted hub can rebuild the spawner and re-attach to a
 * server that kept running. Implementations (local processes now, Docker later) sit side by side
 * in this folder and are picked by name in the `spawner.class` config key.
 */

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

/** JSON-safe spawner state, stored in `servers.state`. */
export type SpawnerState = Record<string, unknown>;

export interface Spawner {
  /** Short name of the implementation (`local`, `docker`, ...), for logs and the admin page. */
  readonly kind: string;
  /** Starts the server process and resolves once it was launched (the hub checks readiness). */
  start(request: SpawnRequest): Promise<SpawnedServer>;
  /** Stops the server and everything it started; resolves when it is gone. Safe to call twice. */
  stop(): Promise<void>;
  poll(): Promise<PollResult>;
  /** State to save so that `loadState` in a later hub process re-attaches to the same server. */
  getState(): SpawnerState;
  loadState(state: SpawnerState): void;
  /** The server's address and token as last started or loaded, or undefined when none. */
  current(): SpawnedServer | undefined;
}

/** Builds a fresh spawner for one (user, server name); the config decides which class. */
export type SpawnerFactory = (userName: string, serverName: string) => Spawner;
