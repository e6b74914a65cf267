/**
 * Managed services: the services with a `command`, run by the hub as JupyterHub runs them. Each
 * is started with JupyterHub's environment (./service-env.ts), its output appended to
 * DATA_DIR/logs/services/NAME.log, started again when it exits (after a pause that doubles up
 * to 30 s while it keeps dying young, so a broken command does not spin), and stopped with the
 * hub (SIGTERM, then SIGKILL after a grace period). They run as the hub's own user, as in
 * JupyterHub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { HubUrls } from '../urls.js';
import { serviceEnv } from './service-env.js';
import type { HubService, ServiceRegistry } from './service-registry.js';

export interface ManagedServicesOptions {
  /** The hub API as a service on this machine reaches it (known once the hub listens). */
  hubApiUrl: () => string;
  urls: HubUrls;
  logDir: string;
  log: FastifyBaseLogger;
  /** First pause before a restart (doubles while the service dies within `healthyAfterMs`). */
  restartDelayMs?: number;
  stopGraceMs?: number;
}

interface Supervised {
  service: HubService;
  child: ChildProcess | undefined;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
}

const MAX_RESTART_DELAY_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

export class ManagedServices {
  private readonly supervised = new Map<string, Supervised>();
  private stopping = false;

  constructor(
    private readonly registry: ServiceRegistry,
    private readonly options: ManagedServicesOptions,
  ) {}

  /** Starts every service that has a command. */
  start(): void {
    mkdirSync(this.options.logDir, { recursive: true, mode: 0o700 });
    for (const service of this.registry.list()) {
      if (service.command === undefined) continue;
      const entry: Supervised = {
        service,
        child: undefined,
        delayMs: this.options.restartDelayMs ?? 1000,
        timer: undefined,
      };
      this.supervised.set(service.name, entry);
      this.launch(entry);
    }
  }

  /** The pid of a managed service's running process, or 0 (JupyterHub's `pid` field). */
  pidOf(name: string): number {
    return this.supervised.get(name)?.child?.pid ?? 0;
  }

  private launch(entry: Supervised): void {
    const { service } = entry;
    const [command, ...args] = service.command!;
    const logFile = openSync(join(this.options.logDir, `${service.name}.log`), 'a', 0o600);
    const startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(command!, args, {
        cwd: service.cwd,
        env: serviceEnv(service, this.options.hubApiUrl(), this.options.urls),
        stdio: ['ignore', logFile, logFile],
      });
    } finally {
      closeSync(logFile);
    }
    entry.child = child;
    const log = this.options.log.child({ service: service.name });
    child.on('error', (err) => log.error({ err }, 'the managed service could not be started'));
    child.on('spawn', () =>
      log.info({ pid: child.pid, command: service.command }, 'managed service started'),
    );
    child.on('exit', (code, signal) => {
      entry.child = undefined;
      if (this.stopping) return;
      const ranMs = Date.now() - startedAt;
      if (ranMs >= HEALTHY_AFTER_MS) entry.delayMs = this.options.restartDelayMs ?? 1000;
      const delay = entry.delayMs;
      entry.delayMs = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      log.error({ code, signal, restartInMs: delay }, 'managed service exited; starting it again');
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (!this.stopping) this.launch(entry);
      }, delay);
    });
  }

  /** Stops every managed service and waits for them to exit. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.options.stopGraceMs ?? 5000;
    await Promise.all(
      [...this.supervised.values()].map(async (entry) => {
        if (entry.timer) clearTimeout(entry.timer);
        const child = entry.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), grace);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
