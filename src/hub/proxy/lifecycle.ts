/**
 * Starting the proxy from the hub, as JupyterHub does with configurable-http-proxy: first ask the
 * configured API port whether a proxy that knows our secret already runs (a hub restart leaves it
 * running, with every open notebook and kernel websocket) and re-use it; otherwise start
 * `coursehub proxy` as a detached child in its own process group, so stopping or restarting the
 * hub does not stop it. Then bring its routes in line with the servers the database knows.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../../config/schema.js';
import { coursehubCli } from '../installation.js';
import { HubUrls } from '../urls.js';
import type { ProxyClient, UserServerRoute } from './client.js';
import { ProxyStartError } from './errors.js';
import { ensureProxySecret, PROXY_SECRET_ENV } from './secret.js';

/** What starting the proxy needs of the hub: its configuration and logger. */
export interface ProxyHost {
  config: CoursehubConfig;
  log: FastifyBaseLogger;
}

export interface EnsureProxyOptions {
  /** The servers that should have routes (from the spawner's table); omitted: no re-sync. */
  wantedRoutes?: () => Promise<UserServerRoute[]>;
  /** The command that runs `coursehub proxy` (default: this installation's CLI). */
  command?: { executable: string; args: string[] };
  startTimeoutMs?: number;
}

export interface EnsuredProxy {
  client: ProxyClient;
  /** 'reused' when a proxy was already running, 'started' when this call started one. */
  outcome: 'reused' | 'started';
  pid?: number;
  /** For a proxy this call started: settles when it exits (the watchdog starts it again). */
  exited?: Promise<void>;
}

const PID_FILE = 'proxy.pid';

/**
 * Stops a proxy that ensureProxy started for this data directory (its pid is in
 * DATA_DIR/proxy.pid). The hub never calls this on its own stop, since the proxy is meant to
 * outlive it; `coursehub` tests and an operator's shutdown do. Returns whether one was signalled.
 */
export async function stopProxy(dataDir: string, timeoutMs = 5_000): Promise<boolean> {
  const file = join(dataDir, PID_FILE);
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return true;
}

/**
 * V8 flags for the proxy's process. A larger young generation (32 MB semi-spaces instead of
 * 16 MB) means fewer scavenges under load: every request allocates a little, and each scavenge
 * holds up every request in flight. bench/proxy.ts runs its proxy with the same flags.
 */
export const PROXY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];

/** `node [flags] [--import tsx] <this installation's cli/main> proxy` */
export function defaultProxyCommand(): { executable: string; args: string[] } {
  const cli = coursehubCli();
  return { executable: cli.executable, args: [...PROXY_NODE_FLAGS, ...cli.args, 'proxy'] };
}

function proxyArgs(config: CoursehubConfig): string[] {
  const { hub, proxy } = config;
  return [
    '--ip',
    hub.ip,
    '--port',
    String(hub.port),
    '--api-ip',
    proxy.apiIp,
    '--api-port',
    String(proxy.apiPort),
    '--default-target',
    `http://127.0.0.1:${hub.hubPort}`,
    '--hub-api-url',
    `http://127.0.0.1:${hub.hubPort}${new HubUrls(hub.baseUrl).api()}`,
    '--base-url',
    new HubUrls(hub.baseUrl).base,
    '--auth-ttl',
    String(proxy.authCacheTtlSeconds),
    '--auth-max-stale',
    String(proxy.authMaxStaleSeconds),
    '--data-dir',
    resolve(hub.dataDir),
    ...(hub.publicUrl ? ['--public-url', hub.publicUrl] : []),
    ...httpsArgs(config.https),
  ];
}

/** https served by the proxy: the pair's paths (never their contents: argv is public) and settings. */
function httpsArgs(https: CoursehubConfig['https']): string[] {
  if (https.certFile === undefined || https.keyFile === undefined) return [];
  return [
    '--tls-cert',
    resolve(https.certFile),
    '--tls-key',
    resolve(https.keyFile),
    '--redirect-port',
    String(https.redirectPort),
    '--hsts-max-age',
    String(https.hstsMaxAgeSeconds),
    '--tls-reload-interval',
    String(https.reloadIntervalSeconds),
  ];
}

async function waitUntilRunning(
  client: ProxyClient,
  timeoutMs: number,
  exited: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    if (await client.isRunning()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Makes sure the proxy `client` talks to runs: re-uses a running one, or starts `coursehub proxy`
 * (when proxy.autoStart is on); then re-syncs its routes from `options.wantedRoutes`.
 */
export async function ensureProxy(
  host: ProxyHost,
  client: ProxyClient,
  options: EnsureProxyOptions = {},
): Promise<EnsuredProxy> {
  const { config, log } = host;
  if (await client.isRunning()) {
    log.info({ api: config.proxy.apiPort }, 're-using the proxy that is already running');
    await syncRoutes(host, client, options.wantedRoutes);
    return { client, outcome: 'reused' };
  }
  if (!config.proxy.autoStart) {
    throw new ProxyStartError(`No proxy answers on ${config.proxy.apiIp}:${config.proxy.apiPort}.`, {
      hint: 'proxy.autoStart is off: start it with `coursehub proxy` (same config), or turn autoStart on.',
    });
  }
  const command = options.command ?? defaultProxyCommand();
  const logFile = join(config.hub.dataDir, 'proxy.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'a', 0o600);
  let exitCode: number | null = null;
  let onExit: () => void = () => undefined;
  const exited = new Promise<void>((resolve) => (onExit = resolve));
  const child = spawn(command.executable, [...command.args, ...proxyArgs(config)], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    // The proxy gets only what it needs: no database URL, no OAuth secrets.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: process.env.NODE_ENV ?? 'production',
      [PROXY_SECRET_ENV]: ensureProxySecret(config.hub.dataDir),
      COURSEHUB_COOKIE_SECRET: config.hub.cookieSecret ?? '',
    },
  });
  closeSync(logFd);
  child.on('exit', (code) => {
    exitCode = code ?? -1;
    onExit();
  });
  child.unref();
  const up = await waitUntilRunning(client, options.startTimeoutMs ?? 15_000, () => exitCode !== null);
  if (!up) {
    if (exitCode === null) child.kill();
    throw new ProxyStartError(
      `The proxy did not start${exitCode === null ? ' in time' : ` (exit code ${exitCode})`}.`,
      {
        hint: `See ${logFile}. Is port ${config.hub.port} or ${config.proxy.apiPort} taken by another program?`,
      },
    );
  }
  if (child.pid !== undefined) writeFileSync(join(config.hub.dataDir, PID_FILE), `${child.pid}\n`);
  log.info({ pid: child.pid, log: logFile }, 'started the proxy as its own process');
  await syncRoutes(host, client, options.wantedRoutes);
  return { client, outcome: 'started', exited, ...(child.pid === undefined ? {} : { pid: child.pid }) };
}

/**
 * Adds routes the proxy lacks (or has with another target) and removes user routes for servers
 * that no longer run, as JupyterHub's check_routes does at start.
 */
export async function syncRoutes(
  host: Pick<ProxyHost, 'log'>,
  client: ProxyClient,
  wantedRoutes: (() => Promise<UserServerRoute[]>) | undefined,
): Promise<{ added: number; removed: number }> {
  if (!wantedRoutes) return { added: 0, removed: 0 };
  const wanted = await wantedRoutes();
  const present = await client.getRoutes();
  const wantedPaths = new Set<string>();
  let added = 0;
  let removed = 0;
  for (const route of wanted) {
    const path = client.routespecOf(route.user, route.serverName).replace(/\/$/, '');
    wantedPaths.add(path);
    const current = present[path];
    if (!current || current.target !== new URL(route.url).href.replace(/\/$/, '')) {
      await client.addUserServer(route);
      added++;
    }
  }
  for (const [path, route] of Object.entries(present)) {
    if (client.isUserServerPath(path) && !wantedPaths.has(path)) {
      await client.deleteRoute(path);
      removed++;
      host.log.info({ path, target: route.target }, 'removed a proxy route for a server that is not running');
    }
  }
  if (added > 0 || removed > 0) host.log.info({ added, removed }, 'proxy routes re-synced from the database');
  return { added, removed };
}
