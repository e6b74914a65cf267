/**
 * A throwaway Docker container as the sandbox (grading kernels under the Docker spawner, issue 13
 * item 3): the course's image with a read-only root file system, no network (`none`), a private
 * /tmp, the memory, process and CPU limits, and only the folders the request makes writable
 * (the submission's working copy, the kernel's runtime folder with its ipc sockets) bound at the
 * same paths as on the host, so the connection file's socket paths hold on both sides. The
 * container is removed when its program exits.
 */
import type Docker from 'dockerode';
import { SandboxSetupError } from './errors.js';
import type { Sandbox, SandboxedProcess, SandboxRequest, SandboxState } from './sandbox.js';

export interface ContainerSandboxOptions {
  docker: Docker;
  /** The image the program runs in (its command's paths must exist there). */
  image: string;
}

export class ContainerSandbox implements Sandbox {
  readonly kind = 'container';

  constructor(private readonly options: ContainerSandboxOptions) {}

  async start(request: SandboxRequest): Promise<SandboxedProcess> {
    if (request.lifetime.kind !== 'with-caller')
      throw new SandboxSetupError('A container sandbox runs programs that end with their caller only.');
    const { docker, image } = this.options;
    const { limits, view, account } = request;
    let container: Docker.Container;
    try {
      container = await docker.createContainer({
        name: `coursehub-${request.name}`,
        Image: image,
        Cmd: request.command,
        Env: Object.entries(request.env).map(([name, value]) => `${name}=${value}`),
        WorkingDir: request.workingDirectory,
        ...(account ? { User: `${account.uid}:${account.gid}` } : {}),
        Labels: { 'coursehub.sandbox': request.name },
        HostConfig: {
          NetworkMode: request.network === 'none' ? 'none' : 'host',
          ReadonlyRootfs: true,
          Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${view.tmpBytes ?? 64 * 1024 * 1024}` },
          Binds: [
            ...view.writable.map((path) => `${path}:${path}`),
            ...(view.readOnly ?? []).map((path) => `${path}:${path}:ro`),
          ],
          ...(account?.groups?.length ? { GroupAdd: account.groups.map(String) } : {}),
          ...(limits.memoryBytes > 0 ? { Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes } : {}),
          ...(limits.maxProcesses > 0 ? { PidsLimit: limits.maxProcesses } : {}),
          ...(limits.cpus > 0 ? { NanoCpus: Math.round(limits.cpus * 1e9) } : {}),
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          AutoRemove: true,
        },
      });
      await container.start();
    } catch (error) {
      throw new SandboxSetupError(`Could not start a container of ${image}: ${(error as Error).message}`, {
        hint: 'Check that dockerd runs and the image is on the Docker host (spawner.docker.image).',
        cause: error,
      });
    }
    const info = await container.inspect().catch(() => undefined);
    return new ContainerProcess(container, info?.State.Pid ?? 0);
  }

  attach(): SandboxedProcess {
    throw new SandboxSetupError(
      'A container sandbox does not outlive its caller: there is nothing to attach to.',
    );
  }
}

class ContainerProcess implements SandboxedProcess {
  readonly cgroup = null;
  readonly exited: Promise<void>;
  private running = true;
  private code: number | null = null;

  constructor(
    private readonly container: Docker.Container,
    readonly pid: number,
  ) {
    this.exited = container.wait().then(
      (result: { StatusCode?: number }) => {
        this.code = result.StatusCode ?? -1;
        this.running = false;
      },
      () => {
        // Removed already (AutoRemove): it has exited, how is unknown.
        this.code = -1;
        this.running = false;
      },
    );
  }

  get alive(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.code;
  }

  programPid(): number | null {
    return this.pid || null;
  }

  processes(): number[] {
    return this.pid && this.running ? [this.pid] : [];
  }

  describeExit(): string {
    if (this.running) return 'running';
    return this.code === 137 ? 'killed by SIGKILL' : `exited with code ${this.code}`;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.container.kill({ signal }).catch(() => undefined);
  }

  async wait(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return done;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.running) return;
    this.kill('SIGTERM');
    if (!(await this.wait(graceMs))) {
      this.kill('SIGKILL');
      await this.exited;
    }
  }

  state(): SandboxState {
    return { pid: this.pid, startTime: '', cgroupDirs: [] };
  }
}
