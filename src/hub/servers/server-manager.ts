/**
 * The life cycle of user servers, as JupyterHub's User/Spawner pair runs it: start (limits,
 * narrow API token, spawner, HTTP readiness, proxy route), stop, noticing crashes, re-attaching
 * after a hub restart, and culling idle servers. One instance per hub process; the `servers`
 * table is what survives the process, the `live` map is what the process is doing right now.
 */
import type { FastifyBaseLogger } from 'fastify';
import { isStoppedRecord, type ServerRecord, type ServerStore } from '../../db/stores/servers.js';
import type { SpawnerSettings } from '../spawner/factory.js';
import type { HubUrls } from '../urls.js';
import { UserOptionsError } from '../spawner/errors.js';
import type { Spawner, SpawnerFactory, UserOptions } from '../spawner/spawner.js';
import { ServerRequestError, ServerStartError } from './errors.js';
import { checkNamedServerStart, requireNamedServers, type NamedServerSettings } from './named-servers.js';
import { ProgressLog } from './progress-log.js';
import { serverAnswers, waitForServer } from './readiness.js';
import type { RouteDescription, ServerRoutes, ServerTokens, UserServerRoute } from './collaborators.js';

export type { RouteDescription, ServerRoutes, ServerTokens, UserServerRoute } from './collaborators.js';

export interface ServerManagerOptions {
  /** The `servers` table. */
  store: ServerStore;
  log: FastifyBaseLogger;
  settings: SpawnerSettings;
  spawnerFactory: SpawnerFactory;
  routes: ServerRoutes;
  tokens: ServerTokens;
  /**
   * The hub API as servers reach it, e.g. http://127.0.0.1:8081/hub/api; a function when the
   * port is known only once the hub listens.
   */
  hubApiUrl: string | (() => string);
  /** The hub's URLs under hub.baseUrl: servers live at urls.user(NAME). */
  urls: HubUrls;
}

interface LiveServer {
  userId: number;
  userName: string;
  serverName: string;
  spawner: Spawner;
  pending: 'spawn' | 'stop' | null;
  /** JupyterHub's user_options of the current start ({} when none, or after a re-attach). */
  userOptions: UserOptions;
  progress: ProgressLog;
  /** Settles when the current start or stop is over. */
  done: Promise<void>;
}

/** A server that stopped on its own (crashed, killed, out of memory), as its user is told. */
export interface StoppedServer {
  /** ISO time the hub noticed. */
  at: string;
  /** How it ended, as the spawner tells it (e.g. "killed by SIGKILL"). */
  message: string;
  outOfMemory: boolean;
}

/** What a check found: the server runs, it is gone (now torn down), or it is starting or stopping. */
export type ServerCheck = 'running' | 'stopped' | 'pending';

export interface StartTicket {
  /**
   * Resolves when the server is ready; rejects with ServerStartError if the start failed, or with
   * ServerRequestError (400) when the spawner refused the user options.
   */
  ready: Promise<void>;
  progress: ProgressLog;
}

const key = (userName: string, serverName: string): string => `${userName}/${serverName}`;

/** "alice's server" or "alice's server 'x'", for messages. */
const serverLabel = (userName: string, serverName: string): string =>
  serverName ? `${userName}'s server '${serverName}'` : `${userName}'s server`;

/** How long a server the proxy could not reach may take to be seen gone before it counts as running. */
const RECHECK_MS = 3_000;

export class ServerManager {
  private readonly live = new Map<string, LiveServer>();
  /** The last failed start per server, so a progress page that connects late sees why. */
  private readonly failures = new Map<string, ProgressLog>();
  /** Servers that stopped on their own, until they are started again: their users are told why. */
  private readonly stops = new Map<string, StoppedServer>();
  readonly store: ServerStore;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: ServerManagerOptions) {
    this.store = options.store;
  }

  /** Whether users may have named servers, and how many (spawner.allowNamedServers, ...). */
  get namedServers(): NamedServerSettings {
    const { allowNamedServers, namedServerLimitPerUser } = this.options.settings;
    return { allowNamedServers, namedServerLimitPerUser };
  }

  /**
   * Which server a path under `/user/NAME/` is for, as JupyterHub decides it: the first segment
   * when named servers are on and the user has a server of that name, else the default server.
   */
  async serverNameInPath(userName: string, pathInServer: string): Promise<string> {
    if (!this.options.settings.allowNamedServers) return '';
    const first = pathInServer.replace(/^\/+/, '').split(/[/?#]/, 1)[0] ?? '';
    if (first === '') return '';
    if (this.live.has(key(userName, first)) || (await this.store.get(userName, first))) return first;
    return '';
  }

  /** Public path of a server: `/user/NAME/` or `/user/NAME/SERVER/` under the hub's base URL. */
  publicUrl(userName: string, serverName = ''): string {
    return this.options.urls.user(userName, serverName);
  }

  progressUrl(userName: string, serverName = ''): string {
    const tail = serverName ? `servers/${serverName}` : 'server';
    return this.options.urls.api(`users/${userName}/${tail}/progress`);
  }

  /** What this process knows about a server right now. */
  status(
    userName: string,
    serverName = '',
  ): { pending: 'spawn' | 'stop' | null; ready: boolean } | undefined {
    const live = this.live.get(key(userName, serverName));
    return live && { pending: live.pending, ready: live.pending === null };
  }

  /** Progress of the current (or last failed) start, for the event stream. */
  progressOf(userName: string, serverName = ''): ProgressLog | undefined {
    const live = this.live.get(key(userName, serverName));
    if (live?.pending === 'spawn' || live?.pending === null) return live.progress;
    return this.failures.get(key(userName, serverName));
  }

  private counts(): { starting: number; active: number } {
    let starting = 0;
    for (const live of this.live.values()) if (live.pending === 'spawn') starting++;
    return { starting, active: this.live.size };
  }

  /**
   * Starts a server with JupyterHub's `user_options` (the body of the start request), which go to
   * the spawner as they are: it is the spawner that knows which options it takes.
   */
  async start(userName: string, serverName = '', userOptions: UserOptions = {}): Promise<StartTicket> {
    const k = key(userName, serverName);
    const existing = this.live.get(k);
    if (existing?.pending === 'spawn') return { ready: existing.done, progress: existing.progress };
    if (existing?.pending === 'stop')
      throw new ServerRequestError(400, `${serverLabel(userName, serverName)} is stopping.`, {
        hint: 'Wait for it to stop, then start it again.',
      });
    if (existing && (await this.check(existing)) === 'running')
      throw new ServerRequestError(400, `${serverLabel(userName, serverName)} is already running.`, {
        hint: `Open ${this.publicUrl(userName, serverName)}.`,
      });
    const userId = await this.store.userId(userName);
    if (userId === undefined) throw new ServerRequestError(404, `No such user: ${userName}.`);
    checkNamedServerStart(this.options.settings, userName, serverName, await this.store.forUser(userName));

    const { settings } = this.options;
    const { starting, active } = this.counts();
    if (settings.concurrentSpawnLimit > 0 && starting >= settings.concurrentSpawnLimit)
      throw new ServerRequestError(429, `Too many servers are starting right now (${starting}).`, {
        hint: 'Try again in a minute.',
      });
    if (settings.activeServerLimit > 0 && active >= settings.activeServerLimit)
      throw new ServerRequestError(429, `The hub is running as many servers as it may (${active}).`, {
        hint: 'Try again later, when someone has stopped theirs; an admin can raise spawner.activeServerLimit.',
      });
    if (!(await this.store.claim(userId, serverName, settings.class)))
      throw new ServerRequestError(
        400,
        `${serverLabel(userName, serverName)} is already being started or stopped.`,
        {
          hint: 'Reload the page in a moment.',
        },
      );

    const live: LiveServer = {
      userId,
      userName,
      serverName,
      spawner: this.options.spawnerFactory(userName, serverName),
      pending: 'spawn',
      userOptions,
      progress: new ProgressLog(),
      done: Promise.resolve(),
    };
    this.live.set(k, live);
    this.failures.delete(k);
    this.stops.delete(k);
    live.done = this.runStart(live);
    // The caller decides whether to wait; an unobserved failure must not crash the hub.
    live.done.catch(() => undefined);
    return { ready: live.done, progress: live.progress };
  }

  /**
   * JupyterHub's variables for a server (its Spawner.get_env), those the hub knows; the spawner
   * adds where the server listens (JUPYTERHUB_SERVICE_URL) and its root (JUPYTERHUB_ROOT_DIR).
   * The OAuth ones name the client and scopes JupyterHub would register for this server.
   */
  private hubEnv(userName: string, serverName: string, apiToken: string): Record<string, string> {
    const { hubApiUrl } = this.options;
    const api = (typeof hubApiUrl === 'function' ? hubApiUrl() : hubApiUrl).replace(/\/+$/, '');
    const prefix = this.publicUrl(userName, serverName);
    const accessScopes = JSON.stringify([
      `access:servers!server=${userName}/${serverName}`,
      `access:servers!user=${userName}`,
    ]);
    return {
      JUPYTERHUB_USER: userName,
      JUPYTERHUB_SERVER_NAME: serverName,
      JUPYTERHUB_API_URL: api,
      JUPYTERHUB_API_TOKEN: apiToken,
      JPY_API_TOKEN: apiToken,
      JUPYTERHUB_BASE_URL: this.options.urls.base,
      JUPYTERHUB_SERVICE_PREFIX: prefix,
      JUPYTERHUB_ACTIVITY_URL: `${api}/users/${userName}/activity`,
      JUPYTERHUB_CLIENT_ID: `jupyterhub-user-${userName}${serverName ? `-${serverName}` : ''}`,
      // The hub's public host when servers live on subdomains; coursehub serves one host.
      JUPYTERHUB_HOST: '',
      JUPYTERHUB_OAUTH_CALLBACK_URL: `${prefix}oauth_callback`,
      JUPYTERHUB_OAUTH_SCOPES: accessScopes,
      JUPYTERHUB_OAUTH_ACCESS_SCOPES: accessScopes,
      JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES: '[]',
    };
  }

  private async runStart(live: LiveServer): Promise<void> {
    const { userName, serverName, spawner, progress } = live;
    const { settings, log } = this.options;
    const startedAt = Date.now();
    progress.emit({ progress: 0, message: 'Server requested' });
    try {
      const apiToken = await this.options.tokens.issue(userName, serverName);
      const request = {
        userName,
        serverName,
        baseUrl: this.publicUrl(userName, serverName),
        hubEnv: this.hubEnv(userName, serverName, apiToken),
        userOptions: live.userOptions,
        onProgress: (event: { progress: number; message: string }) => progress.emit(event),
      };
      let server = await spawner.start(request);
      await this.store.update(live.userId, serverName, { state: spawner.getState() });
      progress.emit({ progress: 60, message: 'Waiting for the server to answer' });
      const remaining = () => Math.max(1_000, settings.startTimeoutSeconds * 1000 - (Date.now() - startedAt));
      try {
        await waitForServer(server.url, {
          timeoutMs: remaining(),
          poll: () => spawner.poll(),
          ownsAddress: () => spawner.ownsAddress(),
        });
      } catch (error) {
        // The free port we picked can be taken (by a kernel, another program) before the server
        // binds it; the server then exits at once. One more try on a fresh port, then give up.
        if (
          !(error instanceof ServerStartError) ||
          !/exited/.test(error.message) ||
          Date.now() - startedAt > 10_000
        )
          throw error;
        log.info({ user: userName, server: serverName }, 'server exited before answering; trying once more');
        await spawner.stop();
        server = await spawner.start(request);
        await this.store.update(live.userId, serverName, { state: spawner.getState() });
        await waitForServer(server.url, {
          timeoutMs: remaining(),
          poll: () => spawner.poll(),
          ownsAddress: () => spawner.ownsAddress(),
        });
      }
      progress.emit({ progress: 90, message: 'Adding the route to the proxy' });
      await this.options.routes.addUserServer({
        user: userName,
        serverName,
        url: new URL(server.url).origin,
        serverToken: server.token,
      });
      const now = new Date().toISOString();
      const url = this.publicUrl(userName, serverName);
      await this.store.update(live.userId, serverName, {
        pending: null,
        url,
        started: now,
        lastActivity: now,
      });
      live.pending = null;
      log.info({ user: userName, server: serverName, ms: Date.now() - startedAt }, 'user server ready');
      progress.emit({
        progress: 100,
        ready: true,
        message: `Server ready at ${url}`,
        html_message: `Server ready at <a href="${url}">${url}</a>`,
        url,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.warn({ user: userName, server: serverName, err: error }, 'user server failed to start');
      progress.emit({ progress: 100, failed: true, message: `Spawn failed: ${reason}` });
      this.failures.set(key(userName, serverName), progress);
      await this.tearDown(live);
      // Options the spawner does not take are the request's fault, not the server's.
      if (error instanceof UserOptionsError)
        throw new ServerRequestError(400, error.message, { hint: error.hint, cause: error });
      throw error instanceof ServerStartError
        ? error
        : new ServerStartError(`${serverLabel(userName, serverName)} failed to start: ${reason}`, {
            cause: error,
          });
    }
  }

  /**
   * Stops the server and forgets it: route, processes, token, and row (a named server's row stays,
   * as stopped, until it is removed: JupyterHub keeps named servers). Never throws.
   */
  private async tearDown(live: LiveServer): Promise<void> {
    const { userName, serverName, userId } = live;
    const { log } = this.options;
    await this.options.routes
      .deleteUserServer(userName, serverName)
      .catch((err: unknown) => log.warn({ err, user: userName }, 'could not delete the proxy route'));
    await live.spawner
      .stop()
      .catch((err: unknown) => log.error({ err, user: userName }, 'could not stop the user server'));
    await this.options.tokens
      .revoke(userName, serverName)
      .catch((err: unknown) => log.warn({ err, user: userName }, 'could not revoke the server token'));
    await (
      serverName === '' ? this.store.remove(userId, serverName) : this.store.markStopped(userId, serverName)
    ).catch((err: unknown) => log.error({ err, user: userName }, 'could not update the server row'));
    if (this.live.get(key(userName, serverName)) === live) this.live.delete(key(userName, serverName));
  }

  /** Resolves when the server is gone; answers at once if there is none. */
  async stop(userName: string, serverName = ''): Promise<{ done: Promise<void> }> {
    const live = this.live.get(key(userName, serverName));
    if (!live) return { done: Promise.resolve() };
    if (live.pending === 'stop') return { done: live.done };
    if (live.pending === 'spawn')
      throw new ServerRequestError(400, `${serverLabel(userName, serverName)} is still starting.`, {
        hint: 'Wait until it is ready (or has failed), then stop it.',
      });
    live.pending = 'stop';
    await this.store.update(live.userId, serverName, { pending: 'stop' });
    this.options.log.info({ user: userName, server: serverName }, 'stopping user server');
    live.done = this.tearDown(live);
    return { done: live.done };
  }

  /**
   * For the routes of one named server (stop, progress): 400 when named servers are off, 404 when
   * the user has no server of that name (running or stopped), as JupyterHub answers. The default
   * server always exists.
   */
  async requireKnownServer(userName: string, serverName: string): Promise<void> {
    if (serverName === '') return;
    requireNamedServers(this.options.settings, serverName);
    if (!this.live.has(key(userName, serverName)) && !(await this.store.get(userName, serverName)))
      throw new ServerRequestError(404, `${userName} has no server named '${serverName}'`);
  }

  /**
   * JupyterHub's DELETE .../servers/NAME with `{"remove": true}`: stops a named server and then
   * deletes it (its row: it no longer counts against the limit nor shows on the home page). The
   * default server cannot be removed (400); a name the user has no server of is 404.
   */
  async remove(userName: string, serverName: string): Promise<{ done: Promise<void> }> {
    if (serverName === '') throw new ServerRequestError(400, 'Cannot delete the default server');
    await this.requireKnownServer(userName, serverName);
    const { done } = await this.stop(userName, serverName);
    return {
      done: done.then(async () => {
        // A start that slipped in between owns the row now; it is stopped, not deleted, then.
        const userId = await this.store.userId(userName);
        if (userId !== undefined && !this.live.has(key(userName, serverName)))
          await this.store.remove(userId, serverName);
      }),
    };
  }

  /**
   * A server found gone: why it ended is kept for its user (read before the teardown removes its
   * cgroup, which knows whether it ran out of memory), then it loses route, token and row.
   */
  private async forgetCrashed(live: LiveServer): Promise<void> {
    live.pending = 'stop';
    const exit = await live.spawner.poll();
    const how = live.spawner.describeExit?.() ?? {
      message: `exited with status ${exit}`,
      outOfMemory: false,
    };
    this.stops.set(key(live.userName, live.serverName), { at: new Date().toISOString(), ...how });
    this.options.log.warn(
      { user: live.userName, server: live.serverName, exit, how: how.message, outOfMemory: how.outOfMemory },
      'user server is gone; removing its route',
    );
    await this.tearDown(live);
  }

  /**
   * Polls one ready server; one found gone is torn down (once, however many checks ask at the
   * same time: the poll loop, and every request the proxy could not deliver).
   */
  private async check(live: LiveServer): Promise<ServerCheck> {
    if (live.pending === 'stop') {
      await live.done.catch(() => undefined);
      return 'stopped';
    }
    if (live.pending !== null) return 'pending';
    if ((await live.spawner.poll()) === null) return 'running';
    // Whoever gets here first after the poll starts the teardown; the others wait for it.
    if (live.pending === null) live.done = this.forgetCrashed(live);
    await live.done.catch(() => undefined);
    return 'stopped';
  }

  /** One round of the poll loop: servers that died lose their route and row. */
  async pollAll(): Promise<void> {
    for (const live of [...this.live.values()]) if (live.pending === null) await this.check(live);
  }

  /**
   * The proxy could not reach this server: look now, not at the next round of the poll loop, so
   * that its user is told at once that it stopped (and why) rather than getting errors for
   * half a minute.
   */
  async checkNow(userName: string, serverName = ''): Promise<ServerCheck> {
    const live = this.live.get(key(userName, serverName));
    if (!live) return 'stopped';
    // Its program may have just died while its sandbox has not ended yet (bwrap follows its child
    // a moment later): a server that neither answers nor is gone is looked at again, briefly.
    const deadline = Date.now() + RECHECK_MS;
    const url = live.spawner.current()?.url;
    for (;;) {
      const state = await this.check(live);
      if (state !== 'running' || Date.now() > deadline || (url !== undefined && (await serverAnswers(url))))
        return state;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Why the server stopped on its own, until it is started again; undefined when it did not. */
  lastStop(userName: string, serverName = ''): StoppedServer | undefined {
    return this.stops.get(key(userName, serverName));
  }

  /**
   * At hub start: rebuild a spawner for every row and keep the servers that still run (their
   * routes are added again, in case the proxy restarted too). Starts that were interrupted by the
   * restart are stopped: the browser that asked has lost its progress stream anyway.
   */
  async reattach(): Promise<{ kept: string[]; dropped: string[] }> {
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const row of await this.store.all()) {
      if (isStoppedRecord(row)) continue;
      const spawner = this.options.spawnerFactory(row.userName, row.name);
      spawner.loadState(row.state);
      const live: LiveServer = {
        userId: row.userId,
        userName: row.userName,
        serverName: row.name,
        spawner,
        pending: row.pending,
        userOptions: {},
        progress: new ProgressLog(),
        done: Promise.resolve(),
      };
      const server = spawner.current();
      if (row.pending === null && server && (await spawner.poll()) === null) {
        this.live.set(key(row.userName, row.name), live);
        // A proxy that is down now gets the route when it is back (lifecycle re-adds routes);
        // the server itself is fine and must not be dropped for it.
        await this.options.routes
          .addUserServer({
            user: row.userName,
            serverName: row.name,
            url: new URL(server.url).origin,
            serverToken: server.token,
          })
          .catch((err: unknown) =>
            this.options.log.warn({ err, user: row.userName }, 'could not re-add the proxy route'),
          );
        live.progress.emit({
          progress: 100,
          ready: true,
          message: 'Server ready',
          url: this.publicUrl(row.userName, row.name),
        });
        kept.push(key(row.userName, row.name));
      } else {
        live.pending = 'stop';
        await this.tearDown(live);
        dropped.push(key(row.userName, row.name));
      }
    }
    await this.dropOrphanRoutes();
    this.options.log.info({ kept, dropped }, 're-attached to user servers');
    return { kept, dropped };
  }

  /** Proxy routes to user servers the hub does not know (e.g. stopped while the hub was down). */
  private async dropOrphanRoutes(): Promise<void> {
    if (!this.options.routes.getRoutes) return;
    const routes = await this.options.routes
      .getRoutes()
      .catch(() => ({}) as Record<string, RouteDescription>);
    for (const [path, route] of Object.entries(routes)) {
      const user = typeof route.user === 'string' ? route.user : undefined;
      const serverName = typeof route.server_name === 'string' ? route.server_name : '';
      if (!user || !path.startsWith(this.options.urls.userPrefix)) continue;
      if (!this.live.has(key(user, serverName)))
        await this.options.routes
          .deleteUserServer(user, serverName)
          .catch((err: unknown) =>
            this.options.log.warn(
              { err, user, server: serverName },
              'could not remove a stale proxy route; next check retries',
            ),
          );
    }
  }

  /**
   * Stops every server of a user (their removal): those this process runs, and those a previous
   * hub process left running that were not re-attached (e.g. the roster import at start, before
   * re-attaching). Refuses (ServerRequestError 400) while one is still starting.
   */
  async stopAllOf(userName: string): Promise<void> {
    for (const live of [...this.live.values()])
      if (live.userName === userName) await (await this.stop(userName, live.serverName)).done;
    for (const row of await this.store.forUser(userName)) {
      if (this.live.has(key(userName, row.name)) || isStoppedRecord(row)) continue;
      const spawner = this.options.spawnerFactory(row.userName, row.name);
      spawner.loadState(row.state);
      this.options.log.info(
        { user: userName, server: row.name },
        'stopping a server this hub had not re-attached',
      );
      await this.tearDown({
        userId: row.userId,
        userName,
        serverName: row.name,
        spawner,
        pending: 'stop',
        userOptions: {},
        progress: new ProgressLog(),
        done: Promise.resolve(),
      });
    }
  }

  /**
   * A user's removal: stops every server of theirs (stopAllOf), then has the spawner delete for
   * good what it keeps for each (JupyterHub's delete_forever; the local spawner: the account, its
   * home archived), so that nothing of theirs is handed to a new user of the same name.
   */
  async stopAndDeleteAllOf(userName: string): Promise<void> {
    const names = new Set(['', ...(await this.store.forUser(userName)).map((row) => row.name)]);
    for (const live of this.live.values()) if (live.userName === userName) names.add(live.serverName);
    await this.stopAllOf(userName);
    // The default server ('') last: named servers share its home, which goes with it.
    for (const name of [...names].sort().reverse())
      await this.options.spawnerFactory(userName, name).deleteForever();
  }

  /**
   * The proxy routes the servers in the database should have: those whose process still runs.
   * For the proxy's start-up re-sync, which runs before the hub re-attaches to them.
   */
  async routesOfRunningServers(): Promise<UserServerRoute[]> {
    const routes: UserServerRoute[] = [];
    for (const record of await this.store.all()) {
      if (record.pending !== null || isStoppedRecord(record)) continue;
      const spawner = this.options.spawnerFactory(record.userName, record.name);
      spawner.loadState(record.state);
      const server = spawner.current();
      if (server && (await spawner.poll()) === null)
        routes.push({
          user: record.userName,
          serverName: record.name,
          url: new URL(server.url).origin,
          serverToken: server.token,
        });
    }
    return routes;
  }

  /** Servers of the live map that are ready (for the culler and the admin page). */
  readyServers(): { userName: string; serverName: string; spawner: Spawner; userId: number }[] {
    return [...this.live.values()].filter((l) => l.pending === null);
  }

  /** Starts the poll loop (and the culler, when configured, see ./idle-culler.ts). */
  startBackgroundTasks(cull?: () => Promise<void>): void {
    const { settings, log } = this.options;
    const every = (ms: number, task: () => Promise<void>, what: string) => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return; // a slow round must not pile up behind itself
        running = true;
        task()
          .catch((err: unknown) => log.error({ err }, `${what} failed`))
          .finally(() => (running = false));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(settings.pollIntervalSeconds * 1000, () => this.pollAll(), 'server poll');
    if (cull && settings.cullIdleTimeoutSeconds > 0)
      every(settings.cullEverySeconds * 1000, cull, 'idle culler');
  }

  /**
   * The hub is stopping: end the loops, and stop every server only when configured to
   * (spawner.stopServersOnHubStop; off by default so that servers outlive a hub restart).
   */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const live of this.live.values()) await live.done.catch(() => undefined);
    if (this.options.settings.stopServersOnHubStop)
      for (const live of [...this.live.values()])
        await (
          await this.stop(live.userName, live.serverName)
        ).done;
  }

  /** The row for the user JSON / admin page. */
  records(userName: string): Promise<ServerRecord[]> {
    return this.store.forUser(userName);
  }
}
