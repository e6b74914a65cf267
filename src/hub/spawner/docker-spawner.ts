/**
 * DockerSpawner: each user's Jupyter server in a container of its own (`jupyter-NAME`), through
 * the Docker Engine API (dockerode), as JupyterHub's DockerSpawner and the seed's deployment run
 * them:
 * - the image from `spawner.docker.image`, or one of `allowedImages` the user chose; nothing else;
 * - the user's volume `jupyterhub-user-NAME` as the home at `notebookDir`, kept when the container
 *   goes (every stop removes the container; the volume goes only with the user);
 * - inside, the hub user's name with a uid of its own (the user's Unix account on this host), by
 *   docker-stacks' start-up: started as root with NB_USER / NB_UID / NB_GID;
 * - memory, CPU and process limits from `spawner.*`;
 * - an instructor's or grader's course directories bound at NOTEBOOK_DIR/COURSE_ID, writable, with
 *   the course's group; a student's server gets none;
 * - tokens and configured variables only in a root-only hook file (./docker-start-hook.ts), never
 *   in what `docker inspect` shows;
 * - on the host network (default) the server listens on 127.0.0.1 at a port of its own and the
 *   egress policy holds it by its uid; on a named network, at the container's address.
 * The container's id, address and token are the state the hub saves to re-attach after a restart.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { FastifyBaseLogger } from 'fastify';
import { loopbackPortHeldBy } from '../../sandbox/listening-sockets.js';
import { ensureUnixAccount, type UnixAccount } from '../../sandbox/unix-accounts.js';
import { dockerFailure, dockerStatus } from './docker-client.js';
import { containerOutput, keepContainerLog } from './docker-logs.js';
import { chosenImage, ensureImage, type PullPolicy } from './docker-images.js';
import { HOOK_TARGET, removeStartHook, writeStartHook } from './docker-start-hook.js';
import {
  dockerUserStorage,
  ensureUserVolume,
  removeUserForever,
  userVolumeName,
} from './docker-user-storage.js';
import { SpawnerError } from './errors.js';
import { freeLoopbackPort } from './free-port.js';
import type { CourseFolder } from './local-process-spawner.js';
import type { LimitSettings } from './server-limits.js';
import { SINGLEUSER_CONFIG } from './singleuser.js';
import type {
  PollResult,
  ServerExit,
  SpawnedServer,
  Spawner,
  SpawnerState,
  SpawnRequest,
  UserStorage,
} from './spawner.js';

export interface DockerSpawnerOptions extends LimitSettings {
  docker: Docker;
  image: string;
  allowedImages: readonly string[];
  network: string;
  hubConnectUrl?: string;
  notebookDir: string;
  command: readonly string[];
  args: readonly string[];
  pullPolicy: PullPolicy;
  environment: Record<string, string>;
  /** Where the users' Unix accounts (their uids) are made: `spawner.local.homeRoot`. */
  homeRoot: string;
  /** A root-only folder of the hub for the start hooks (tokens) of running containers. */
  hookFolder: string;
  /**
   * The folder of share/singleuser/ that dockerd mounts: a copy in the hub's data folder
   * (factory.ts), since a hub in a container has its installation where the host has nothing.
   */
  singleuserConfig?: string;
  /** Where each container's output is kept when it is removed (DATA_DIR/logs/servers). */
  logDir: string;
  log: FastifyBaseLogger;
  /** The egress policy, for servers on the host network (by their uid). */
  egress?: { admit(uid: number): Promise<boolean> };
  courseFolders?: (userName: string) => Promise<CourseFolder[]>;
}

/** As the local spawner: what instructors make in a course directory stays the course's. */
export const COURSE_UMASK = 0o007;
/** Where the hub's notebook configuration (share/singleuser/) is seen in the container. */
export const SINGLEUSER_TARGET = '/opt/coursehub/singleuser';
/** The port of a server on a named network (its own address). */
export const NETWORK_PORT = 8888;
export const STOP_GRACE_SECONDS = 5;
/** Marks the containers this spawner made: only those are ever removed by name. */
export const MANAGED_LABEL = 'coursehub.managed';

interface Started {
  containerId: string;
  url: string;
  token: string;
  port: number;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The user's Unix account on the Docker host: the uid and gid the user has inside (the hub must be root). */
export function dockerUserAccount(userName: string, homeRoot: string): Promise<UnixAccount> {
  if (process.getuid?.() !== 0)
    return Promise.reject(
      new SpawnerError(
        'The Docker spawner gives every user a uid of their own, from a Unix account the hub makes: the hub must run as root.',
        {
          hint: 'Start coursehub as root (in its container, as the compose file does).',
        },
      ),
    );
  return ensureUnixAccount(userName, homeRoot);
}

export class DockerSpawner implements Spawner {
  readonly kind = 'docker';
  readonly storage: UserStorage;
  private started: Started | undefined;
  private lastExit: ServerExit | undefined;

  constructor(
    private readonly userName: string,
    private readonly serverName: string,
    private readonly options: DockerSpawnerOptions,
  ) {
    this.storage = dockerUserStorage(options.docker, userName, () => this.account());
  }

  /** `jupyter-NAME`, or `jupyter-NAME--SERVER` for a named server. */
  get containerName(): string {
    return `jupyter-${this.userName}${this.serverName ? `--${this.serverName}` : ''}`;
  }

  private get onHostNetwork(): boolean {
    return this.options.network === 'host';
  }

  /** The user's Unix account on this host: the uid and gid the user has inside the container. */
  private account(): Promise<UnixAccount> {
    return dockerUserAccount(this.userName, this.options.homeRoot);
  }

  async start(request: SpawnRequest): Promise<SpawnedServer> {
    const { docker, log } = this.options;
    const image = chosenImage(this.options, request.userOptions);
    const progress = request.onProgress ?? (() => undefined);
    progress({ progress: 10, message: `Getting the image ${image}` });
    await ensureImage(docker, image, this.options.pullPolicy);
    const account = await this.account();
    progress({ progress: 20, message: 'Preparing your volume' });
    await ensureUserVolume(docker, this.userName, account);
    await this.removeLeftover();

    const notebookDir = fill(this.options.notebookDir, { username: this.userName });
    const port = this.onHostNetwork ? await freeLoopbackPort() : NETWORK_PORT;
    const ip = this.onHostNetwork ? '127.0.0.1' : '0.0.0.0';
    const token = randomBytes(32).toString('hex');
    const folders = (await this.options.courseFolders?.(this.userName)) ?? [];
    const hubEnv = { ...request.hubEnv };
    if (!this.onHostNetwork && this.options.hubConnectUrl)
      hubEnv.JUPYTERHUB_API_URL = this.options.hubConnectUrl;
    const hookPath = await writeStartHook(this.options.hookFolder, this.containerName, {
      env: {
        ...this.options.environment,
        ...hubEnv,
        JUPYTERHUB_SERVICE_URL: `http://${ip}:${port}${request.baseUrl}`,
        JUPYTERHUB_ROOT_DIR: notebookDir,
        JUPYTER_TOKEN: token,
        JUPYTER_CONFIG_PATH: [SINGLEUSER_TARGET, this.options.environment.JUPYTER_CONFIG_PATH]
          .filter(Boolean)
          .join(':'),
      },
      groups: folders.flatMap((folder) =>
        folder.gid === undefined ? [] : [{ name: `ch-${folder.course}`, gid: folder.gid }],
      ),
      ...(folders.length > 0 ? { umask: COURSE_UMASK } : {}),
    });
    // Under the egress policy before it runs: on the host network its sockets are its uid's.
    if (this.onHostNetwork) await this.options.egress?.admit(account.uid);

    const values = { base_url: request.baseUrl, ip, port: String(port), notebook_dir: notebookDir };
    const limits = this.options;
    progress({ progress: 40, message: 'Starting your container' });
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: this.containerName,
        Image: image,
        Cmd: [...this.options.command, ...this.options.args.map((arg) => fill(arg, values))],
        // docker-stacks' start-up renames its user to NB_USER only when started as root.
        User: 'root',
        WorkingDir: notebookDir,
        Env: [
          `NB_USER=${this.userName}`,
          `NB_UID=${account.uid}`,
          `NB_GID=${account.gid}`,
          `NB_GROUP=${this.userName}`,
          'CHOWN_HOME=no',
        ],
        Labels: {
          [MANAGED_LABEL]: 'true',
          'coursehub.user': this.userName,
          'coursehub.server': this.serverName,
        },
        HostConfig: {
          NetworkMode: this.options.network,
          Binds: [
            // nocopy: Docker would otherwise give a new volume the owner and mode of the
            // image's folder at that path (root's), over the user's that ensureUserVolume set.
            `${userVolumeName(this.userName)}:${notebookDir}:nocopy`,
            `${hookPath}:${HOOK_TARGET}:ro`,
            `${this.options.singleuserConfig ?? SINGLEUSER_CONFIG}:${SINGLEUSER_TARGET}:ro`,
            ...folders.map((folder) => `${folder.directory}:${join(notebookDir, folder.course)}`),
          ],
          ...(limits.memoryLimitMb > 0
            ? { Memory: limits.memoryLimitMb * 1024 * 1024, MemorySwap: limits.memoryLimitMb * 1024 * 1024 }
            : {}),
          ...(limits.cpuLimit > 0 ? { NanoCpus: Math.round(limits.cpuLimit * 1e9) } : {}),
          ...(limits.processLimit > 0 ? { PidsLimit: limits.processLimit } : {}),
          // A reaper as pid 1 (the kernels' orphans), and no privilege gained through setuid files.
          Init: true,
          SecurityOpt: ['no-new-privileges'],
        },
      });
      await container.start();
    } catch (error) {
      await removeStartHook(this.options.hookFolder, this.containerName);
      throw dockerFailure(`Could not start the container ${this.containerName}`, error);
    }
    const url = this.onHostNetwork
      ? `http://127.0.0.1:${port}${request.baseUrl}`
      : `http://${await this.addressOf(container)}:${port}${request.baseUrl}`;
    this.started = { containerId: container.id, url, token, port };
    this.lastExit = undefined;
    log.info(
      { user: this.userName, container: this.containerName, image, url },
      'started a Docker user server',
    );
    return { url, token };
  }

  /** The container's address on the configured network. */
  private async addressOf(container: Docker.Container): Promise<string> {
    const info = await container.inspect();
    const address = info.NetworkSettings.Networks[this.options.network]?.IPAddress;
    if (!address)
      throw new SpawnerError(
        `The container ${this.containerName} has no address on the network ${this.options.network}.`,
        {
          hint: 'Check spawner.docker.network (DOCKER_NETWORK_NAME): a network of the Docker host that the hub reaches.',
        },
      );
    return address;
  }

  /** A container of this name that an earlier hub left (a crash in the middle of a start). */
  private async removeLeftover(): Promise<void> {
    const container = this.options.docker.getContainer(this.containerName);
    const info = await container.inspect().catch((error: unknown) => {
      if (dockerStatus(error) === 404) return undefined;
      throw dockerFailure(`Could not look for the container ${this.containerName}`, error);
    });
    if (!info) return;
    if (info.Config.Labels?.[MANAGED_LABEL] !== 'true')
      throw new SpawnerError(
        `A container named ${this.containerName} exists and was not made by coursehub.`,
        {
          hint: 'Rename or remove it (docker rm): coursehub never removes containers it did not make.',
        },
      );
    await container.remove({ force: true }).catch(() => undefined);
  }

  async poll(): Promise<PollResult> {
    const started = this.started;
    if (!started) return this.lastExit ? -1 : 0;
    try {
      const info = await this.options.docker.getContainer(started.containerId).inspect();
      if (info.State.Running) return null;
      const last = await containerOutput(this.options.docker.getContainer(started.containerId), 5).catch(
        () => '',
      );
      this.lastExit = {
        message: info.State.OOMKilled
          ? 'killed for using more memory than its limit'
          : `exited with code ${info.State.ExitCode}${last.trim() ? `; its last messages: ${last.trim()}` : ''}`,
        outOfMemory: info.State.OOMKilled,
      };
      return info.State.ExitCode;
    } catch (error) {
      if (dockerStatus(error) === 404) {
        this.lastExit = { message: 'its container is gone', outOfMemory: false };
        return -1;
      }
      throw dockerFailure(`Could not ask about the container ${this.containerName}`, error);
    }
  }

  describeExit(): ServerExit {
    return this.lastExit ?? { message: 'not started', outOfMemory: false };
  }

  async ownsAddress(): Promise<boolean> {
    const started = this.started;
    if (!started) return false;
    const container = this.options.docker.getContainer(started.containerId);
    // On a named network the address is the container's own; on the host's, the port must be
    // held by one of the container's processes.
    if (!this.onHostNetwork) return (await container.inspect()).State.Running;
    const top = (await container.top()) as { Titles: string[]; Processes: string[][] };
    const column = top.Titles.indexOf('PID');
    const pids = top.Processes.map((row) => Number(row[column]));
    return loopbackPortHeldBy(started.port, pids);
  }

  async stop(): Promise<void> {
    const started = this.started;
    if (!started) return;
    const container = this.options.docker.getContainer(started.containerId);
    await this.poll().catch(() => undefined);
    try {
      await container.stop({ t: STOP_GRACE_SECONDS }).catch((error: unknown) => {
        // 304: it had stopped already; 404: it is gone.
        if (dockerStatus(error) !== 304 && dockerStatus(error) !== 404) throw error;
      });
      await keepContainerLog(container, this.options.logDir, this.containerName);
      await container.remove({ force: true }).catch((error: unknown) => {
        if (dockerStatus(error) !== 404) throw error;
      });
    } catch (error) {
      throw dockerFailure(`Could not stop the container ${this.containerName}`, error);
    }
    await removeStartHook(this.options.hookFolder, this.containerName);
    this.lastExit ??= { message: 'stopped', outOfMemory: false };
    this.started = undefined;
  }

  /**
   * The server goes; for the default server, the user's volume and Unix account (the uid they
   * had) go too, for good: a new user of the same name starts with nothing of theirs.
   */
  async deleteForever(): Promise<void> {
    await this.stop();
    if (this.serverName !== '') return;
    await removeUserForever(this.options.docker, this.userName, this.options.homeRoot, this.options.log);
  }

  getState(): SpawnerState {
    return this.started ? { ...this.started, container: this.containerName } : {};
  }

  loadState(state: SpawnerState): void {
    const s = state as Partial<Started>;
    this.started =
      typeof s.containerId === 'string' &&
      typeof s.url === 'string' &&
      typeof s.token === 'string' &&
      typeof s.port === 'number'
        ? { containerId: s.containerId, url: s.url, token: s.token, port: s.port }
        : undefined;
  }

  current(): SpawnedServer | undefined {
    return this.started ? { url: this.started.url, token: this.started.token } : undefined;
  }
}
