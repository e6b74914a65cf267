/**
 * The Docker spawner in swarm mode (`spawner.class: docker-swarm`): each user's server is a swarm
 * service `jupyter-NAME` of one replica, as JupyterHub's SwarmSpawner runs them, so that the swarm
 * places it on a node that fits its placement constraints and memory reservation. The same image
 * allow-list, user inside and limits as the container spawner (./docker-spawner.ts), and:
 * - the start hook (tokens, environment, course groups) is a swarm secret of this start, mounted
 *   root-only where the start script sources it: the swarm hands it to the task's node only, and
 *   `docker service inspect` shows its name, never its text;
 * - the user's volume is a mount of type `volume` in the task template, made by the node's volume
 *   driver (`spawner.docker.swarm.volumeDriver`); the service goes at every stop, the volume stays;
 * - no restart policy: a server that ends stays ended, and the hub sees it as the container
 *   spawner's;
 * - on the host network the server listens on loopback, so its task is pinned to the hub's node
 *   and reached at 127.0.0.1 and its port; on an overlay network (attachable, the hub's container
 *   on it) the task may run on any node and is reached at its task's address on that network;
 * - an instructor's or grader's server, with course directories bound from this node, runs here;
 *   so does every server on the host network. The hub's notebook configuration
 *   (share/singleuser/) is bound from the same path on the task's node (docs/scaling.md).
 * The service's id, address and token are the state the hub saves to re-attach after a restart.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { loopbackPortHeldBy } from '../../sandbox/listening-sockets.js';
import { type UnixAccount } from '../../sandbox/unix-accounts.js';
import { dockerFailure, dockerStatus } from './docker-client.js';
import { keepContainerLog } from './docker-logs.js';
import { chosenImage, ensureImage } from './docker-images.js';
import {
  COURSE_UMASK,
  dockerUserAccount,
  fill,
  MANAGED_LABEL,
  NETWORK_PORT,
  SINGLEUSER_TARGET,
  STOP_GRACE_SECONDS,
  type DockerSpawnerOptions,
} from './docker-spawner.js';
import { HOOK_TARGET, startHookText } from './docker-start-hook.js';
import {
  dockerUserStorage,
  ensureUserVolume,
  removeUserForever,
  userVolumeName,
} from './docker-user-storage.js';
import { SpawnerError } from './errors.js';
import { freeLoopbackPort } from './free-port.js';
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

export interface SwarmSettings {
  constraints: readonly string[];
  memoryReservationMb: number;
  volumeDriver: string;
  volumeDriverOptions: Record<string, string>;
}

export interface DockerSwarmSpawnerOptions extends DockerSpawnerOptions {
  swarm: SwarmSettings;
}

/** A service's task that cannot start or run any more (Docker's task states). */
const ENDED_TASK_STATES = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);
/** How long a task may take to be scheduled and running (an image pull on a node included). */
const TASK_START_TIMEOUT_MS = 5 * 60_000;
const WAIT_STEP_MS = 250;

interface Started {
  serviceId: string;
  /** The swarm secret that holds this start's hook, removed with the service. */
  secretId: string;
  url: string;
  token: string;
  port: number;
}

/** The fields of a swarm task this spawner reads (the Engine API's Task). */
interface SwarmTask {
  ID: string;
  NodeID?: string;
  CreatedAt?: string;
  Status?: {
    State?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
  NetworksAttachments?: { Network?: { Spec?: { Name?: string } }; Addresses?: string[] }[];
}

export class DockerSwarmSpawner implements Spawner {
  readonly kind = 'docker-swarm';
  readonly storage: UserStorage;
  private started: Started | undefined;
  private lastExit: ServerExit | undefined;

  constructor(
    private readonly userName: string,
    private readonly serverName: string,
    private readonly options: DockerSwarmSpawnerOptions,
  ) {
    this.storage = dockerUserStorage(options.docker, userName, () => this.account());
  }

  /** `jupyter-NAME`, or `jupyter-NAME--SERVER` for a named server: the service's name. */
  get serviceName(): string {
    return `jupyter-${this.userName}${this.serverName ? `--${this.serverName}` : ''}`;
  }

  private get onHostNetwork(): boolean {
    return this.options.network === 'host';
  }

  private account(): Promise<UnixAccount> {
    return dockerUserAccount(this.userName, this.options.homeRoot);
  }

  /** With the `local` driver and no options the volume is a folder of this node, made here first. */
  private get volumeIsLocal(): boolean {
    const { volumeDriver, volumeDriverOptions } = this.options.swarm;
    return volumeDriver === 'local' && Object.keys(volumeDriverOptions).length === 0;
  }

  async start(request: SpawnRequest): Promise<SpawnedServer> {
    const { docker, log, swarm } = this.options;
    const image = chosenImage(this.options, request.userOptions);
    const progress = request.onProgress ?? (() => undefined);
    progress({ progress: 10, message: `Getting the image ${image}` });
    await ensureImage(docker, image, this.options.pullPolicy);
    const account = await this.account();
    progress({ progress: 20, message: 'Preparing your volume' });
    // Made here with the user as its owner when it lives on this node; a volume of another driver
    // is made by the driver on the node the task lands on.
    if (this.volumeIsLocal) await ensureUserVolume(docker, this.userName, account);
    await this.removeLeftover();

    const notebookDir = fill(this.options.notebookDir, { username: this.userName });
    const port = this.onHostNetwork ? await freeLoopbackPort() : NETWORK_PORT;
    const ip = this.onHostNetwork ? '127.0.0.1' : '0.0.0.0';
    const token = randomBytes(32).toString('hex');
    const folders = (await this.options.courseFolders?.(this.userName)) ?? [];
    const hubEnv = { ...request.hubEnv };
    if (!this.onHostNetwork && this.options.hubConnectUrl)
      hubEnv.JUPYTERHUB_API_URL = this.options.hubConnectUrl;
    const hook = startHookText({
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
    if (this.onHostNetwork) await this.options.egress?.admit(account.uid);
    const secret = await this.createHookSecret(hook);
    const secretId = secret.id;

    const values = { base_url: request.baseUrl, ip, port: String(port), notebook_dir: notebookDir };
    const limits = this.options;
    const volumeOptions = Object.fromEntries(
      Object.entries(swarm.volumeDriverOptions).map(([key, value]) => [
        key,
        fill(value, { username: this.userName }),
      ]),
    );
    progress({ progress: 40, message: 'Starting your service' });
    let service: Docker.Service;
    try {
      // On the host network the server listens on this node's loopback, and course directories
      // are folders of this node: such a task must run here.
      const pinned = this.onHostNetwork || folders.length > 0 ? [`node.id == ${await this.thisNode()}`] : [];
      const network = await docker.getNetwork(this.options.network).inspect();
      service = await docker.createService({
        Name: this.serviceName,
        Labels: {
          [MANAGED_LABEL]: 'true',
          'coursehub.user': this.userName,
          'coursehub.server': this.serverName,
        },
        TaskTemplate: {
          ContainerSpec: {
            Image: image,
            // As the container spawner's Cmd: the image's entrypoint stays.
            Args: [...this.options.command, ...this.options.args.map((arg) => fill(arg, values))],
            // docker-stacks' start-up renames its user to NB_USER only when started as root.
            User: 'root',
            Dir: notebookDir,
            Env: [
              `NB_USER=${this.userName}`,
              `NB_UID=${account.uid}`,
              `NB_GID=${account.gid}`,
              `NB_GROUP=${this.userName}`,
              // A volume the driver made on another node is root's: the start script gives it to
              // the user; one made here has the user's owner already.
              `CHOWN_HOME=${this.volumeIsLocal ? 'no' : 'yes'}`,
            ],
            Labels: { [MANAGED_LABEL]: 'true', 'coursehub.user': this.userName },
            Mounts: [
              {
                Type: 'volume',
                Source: userVolumeName(this.userName),
                Target: notebookDir,
                VolumeOptions: {
                  // As the container spawner's nocopy: the image's folder never sets the owner.
                  NoCopy: true,
                  Labels: { 'coursehub.user': this.userName },
                  DriverConfig: { Name: swarm.volumeDriver, Options: volumeOptions },
                },
              },
              {
                Type: 'bind',
                Source: this.options.singleuserConfig ?? SINGLEUSER_CONFIG,
                Target: SINGLEUSER_TARGET,
                ReadOnly: true,
              },
              ...folders.map((folder) => ({
                Type: 'bind' as const,
                Source: folder.directory,
                Target: join(notebookDir, folder.course),
              })),
            ],
            // Root's only, read-only: the user inside cannot read their tokens' file.
            Secrets: [
              {
                SecretID: secret.id,
                SecretName: secret.name,
                File: { Name: HOOK_TARGET, UID: '0', GID: '0', Mode: 0o400 },
              },
            ],
            // A reaper as pid 1 (the kernels' orphans).
            Init: true,
            StopGracePeriod: STOP_GRACE_SECONDS * 1e9,
          },
          Resources: {
            Limits: {
              ...(limits.memoryLimitMb > 0 ? { MemoryBytes: limits.memoryLimitMb * 1024 * 1024 } : {}),
              ...(limits.cpuLimit > 0 ? { NanoCPUs: Math.round(limits.cpuLimit * 1e9) } : {}),
              ...(limits.processLimit > 0 ? { Pids: limits.processLimit } : {}),
            },
            Reservations:
              swarm.memoryReservationMb > 0 ? { MemoryBytes: swarm.memoryReservationMb * 1024 * 1024 } : {},
          },
          // A server that ends stays ended: the hub reports it, as with a container.
          RestartPolicy: { Condition: 'none' },
          Placement: { Constraints: [...swarm.constraints, ...pinned] },
          Networks: [{ Target: network.Id as string }],
        },
        Mode: { Replicated: { Replicas: 1 } },
      } as Docker.CreateServiceOptions);
    } catch (error) {
      await this.removeSecret(secretId);
      throw dockerFailure(`Could not start the service ${this.serviceName}`, error);
    }
    let task: SwarmTask;
    try {
      task = await this.runningTask(service.id);
    } catch (error) {
      await this.removeService(service.id).catch(() => undefined);
      await this.removeSecret(secretId);
      throw error;
    }
    const host = this.onHostNetwork ? '127.0.0.1' : this.taskAddress(task);
    const url = `http://${host}:${port}${request.baseUrl}`;
    this.started = { serviceId: service.id, secretId, url, token, port };
    this.lastExit = undefined;
    log.info(
      { user: this.userName, service: this.serviceName, node: task.NodeID, image, url },
      'started a swarm user server',
    );
    return { url, token };
  }

  /** A swarm secret of this start with the hook's text (secrets cannot change, so one per start). */
  private async createHookSecret(text: string): Promise<{ id: string; name: string }> {
    const name = `${this.serviceName}-start-hook-${randomBytes(6).toString('hex')}`;
    try {
      const secret = await this.options.docker.createSecret({
        Name: name,
        Labels: { [MANAGED_LABEL]: 'true', 'coursehub.service': this.serviceName },
        Data: Buffer.from(text).toString('base64'),
      });
      return { id: secret.id, name };
    } catch (error) {
      throw dockerFailure(`Could not make the start secret of ${this.serviceName}`, error);
    }
  }

  private async removeSecret(secretId: string): Promise<void> {
    await this.options.docker
      .getSecret(secretId)
      .remove()
      .catch((error: unknown) => {
        if (dockerStatus(error) !== 404)
          this.options.log.warn(
            { service: this.serviceName, secret: secretId, err: error },
            'could not remove a start secret',
          );
      });
  }

  /** This Docker host's node id; an inactive swarm is a clear error. */
  private async thisNode(): Promise<string> {
    const info = (await this.options.docker.info()) as {
      Swarm?: { NodeID?: string; LocalNodeState?: string };
    };
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.NodeID)
      throw new SpawnerError('spawner.class is docker-swarm, but the Docker host is not in a swarm.', {
        hint: "Run `docker swarm init` on the hub's host (a manager), or set spawner.class: docker.",
      });
    return info.Swarm.NodeID;
  }

  /** The service's newest task. */
  private async newestTask(serviceId: string): Promise<SwarmTask | undefined> {
    const tasks = (await this.options.docker.listTasks({
      filters: JSON.stringify({ service: [serviceId] }),
    })) as SwarmTask[];
    return tasks.sort((a, b) => (a.CreatedAt ?? '').localeCompare(b.CreatedAt ?? '')).at(-1);
  }

  /** Waits until the swarm has placed the task and its container runs; a task that ends fails. */
  private async runningTask(serviceId: string): Promise<SwarmTask> {
    const deadline = Date.now() + TASK_START_TIMEOUT_MS;
    let last: SwarmTask | undefined;
    while (Date.now() < deadline) {
      last = await this.newestTask(serviceId).catch((error: unknown) => {
        throw dockerFailure(`Could not ask about the service ${this.serviceName}`, error);
      });
      const state = last?.Status?.State;
      if (state === 'running') return last!;
      if (state && ENDED_TASK_STATES.has(state))
        throw new SpawnerError(
          `The service ${this.serviceName} could not run: ${last!.Status?.Err ?? last!.Status?.Message ?? state}.`,
          {
            hint: 'See `docker service ps --no-trunc` for it; a placement no node fits, or an image missing on the node, are the usual reasons.',
          },
        );
      await sleep(WAIT_STEP_MS);
    }
    throw new SpawnerError(
      `The service ${this.serviceName} was not running after ${TASK_START_TIMEOUT_MS / 1000} s (its task: ${last?.Status?.State ?? 'none'}).`,
      {
        hint: 'A task stays pending while no node fits its constraints and reservation: see `docker service ps`.',
      },
    );
  }

  /** The task's address on the configured network (the overlay's). */
  private taskAddress(task: SwarmTask): string {
    const attachment = task.NetworksAttachments?.find((a) => a.Network?.Spec?.Name === this.options.network);
    const address = attachment?.Addresses?.[0]?.split('/')[0];
    if (!address)
      throw new SpawnerError(
        `The service ${this.serviceName} has no address on the network ${this.options.network}.`,
        {
          hint: 'In swarm mode spawner.docker.network must be `host` or an attachable overlay network the hub is on.',
        },
      );
    return address;
  }

  /** A service of this name that an earlier hub left (a crash in the middle of a start). */
  private async removeLeftover(): Promise<void> {
    const service = this.options.docker.getService(this.serviceName);
    const info = (await service.inspect().catch((error: unknown) => {
      if (dockerStatus(error) === 404) return undefined;
      throw dockerFailure(`Could not look for the service ${this.serviceName}`, error);
    })) as { ID: string; Spec?: { Labels?: Record<string, string> } } | undefined;
    if (info && info.Spec?.Labels?.[MANAGED_LABEL] !== 'true')
      throw new SpawnerError(`A service named ${this.serviceName} exists and was not made by coursehub.`, {
        hint: 'Rename or remove it (docker service rm): coursehub never removes services it did not make.',
      });
    if (info) await this.removeService(info.ID);
    // The start secrets an earlier hub left with it.
    const secrets = (await this.options.docker
      .listSecrets({ filters: JSON.stringify({ label: [`coursehub.service=${this.serviceName}`] }) })
      .catch(() => [])) as { ID: string; Spec?: { Labels?: Record<string, string> } }[];
    for (const secret of secrets)
      if (secret.Spec?.Labels?.[MANAGED_LABEL] === 'true') await this.removeSecret(secret.ID);
  }

  /** The task's container when it runs on this Docker host (its logs and processes are here). */
  private localContainer(task: SwarmTask | undefined): Docker.Container | undefined {
    const id = task?.Status?.ContainerStatus?.ContainerID;
    return id ? this.options.docker.getContainer(id) : undefined;
  }

  async poll(): Promise<PollResult> {
    const started = this.started;
    if (!started) return this.lastExit ? -1 : 0;
    try {
      await this.options.docker.getService(started.serviceId).inspect();
      const task = await this.newestTask(started.serviceId);
      const state = task?.Status?.State;
      if (!task || !state || !ENDED_TASK_STATES.has(state)) return null;
      const exitCode = task.Status?.ContainerStatus?.ExitCode ?? -1;
      const container = await this.localContainer(task)
        ?.inspect()
        .catch(() => undefined);
      const outOfMemory = container?.State.OOMKilled ?? false;
      this.lastExit = {
        message: outOfMemory
          ? 'killed for using more memory than its limit'
          : `its task ended (${state}, exit code ${exitCode})${task.Status?.Err ? `: ${task.Status.Err}` : ''}`,
        outOfMemory,
      };
      return exitCode;
    } catch (error) {
      if (dockerStatus(error) === 404) {
        this.lastExit = { message: 'its service is gone', outOfMemory: false };
        return -1;
      }
      throw dockerFailure(`Could not ask about the service ${this.serviceName}`, error);
    }
  }

  describeExit(): ServerExit {
    return this.lastExit ?? { message: 'not started', outOfMemory: false };
  }

  async ownsAddress(): Promise<boolean> {
    const started = this.started;
    if (!started) return false;
    const task = await this.newestTask(started.serviceId);
    if (task?.Status?.State !== 'running') return false;
    // On an overlay the address is the task's own; on the host's, the port must be held by one of
    // the task container's processes.
    if (!this.onHostNetwork) return true;
    const container = this.localContainer(task);
    if (!container) return false;
    const top = (await container.top()) as { Titles: string[]; Processes: string[][] };
    const column = top.Titles.indexOf('PID');
    return loopbackPortHeldBy(
      started.port,
      top.Processes.map((row) => Number(row[column])),
    );
  }

  /**
   * Removes the service and waits until its task's container is gone: the next start of this
   * user's server mounts the same volume and may use the same name.
   */
  private async removeService(serviceId: string): Promise<void> {
    const { docker } = this.options;
    const task = await this.newestTask(serviceId).catch(() => undefined);
    const container = this.localContainer(task);
    if (container) await keepContainerLog(container, this.options.logDir, this.serviceName);
    await docker
      .getService(serviceId)
      .remove()
      .catch((error: unknown) => {
        if (dockerStatus(error) !== 404) throw error;
      });
    if (!container) return;
    const deadline = Date.now() + (STOP_GRACE_SECONDS + 30) * 1000;
    while (Date.now() < deadline) {
      const gone = await container.inspect().then(
        () => false,
        (error: unknown) => dockerStatus(error) === 404,
      );
      if (gone) return;
      await sleep(WAIT_STEP_MS);
    }
    // The swarm's agent was slow to clean up: remove the container ourselves.
    await container.remove({ force: true }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    const started = this.started;
    if (!started) return;
    await this.poll().catch(() => undefined);
    try {
      await this.removeService(started.serviceId);
    } catch (error) {
      throw dockerFailure(`Could not stop the service ${this.serviceName}`, error);
    }
    await this.removeSecret(started.secretId);
    this.lastExit ??= { message: 'stopped', outOfMemory: false };
    this.started = undefined;
  }

  /** As the container spawner's: the default server's volume and account go with the user. */
  async deleteForever(): Promise<void> {
    await this.stop();
    if (this.serverName !== '') return;
    await removeUserForever(this.options.docker, this.userName, this.options.homeRoot, this.options.log);
  }

  getState(): SpawnerState {
    return this.started ? { ...this.started, service: this.serviceName } : {};
  }

  loadState(state: SpawnerState): void {
    const s = state as Partial<Started>;
    this.started =
      typeof s.serviceId === 'string' &&
      typeof s.secretId === 'string' &&
      typeof s.url === 'string' &&
      typeof s.token === 'string' &&
      typeof s.port === 'number'
        ? { serviceId: s.serviceId, secretId: s.secretId, url: s.url, token: s.token, port: s.port }
        : undefined;
  }

  current(): SpawnedServer | undefined {
    return this.started ? { url: this.started.url, token: this.started.token } : undefined;
  }
}
