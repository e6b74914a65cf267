/**
 * `coursehub start`, as a function: load and check the configuration, open and migrate the
 * database, ensure the cookie secret, build the hub (./build-hub.ts), import the roster files,
 * start or re-use the proxy, listen, and stop cleanly. The CLI (src/cli/start.ts) and the tests (test/support/hub.ts) both run this.
 */
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.js';
import type { CoursehubConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../db/database.js';
import { ensureProxy, type EnsuredProxy } from '../hub/proxy/lifecycle.js';
import { watchProxy, type ProxyWatchdog } from '../hub/proxy/watchdog.js';
import { buildHub, type BuiltHub } from './build-hub.js';
import { DEMO_ROSTERS, seedDemoCourse } from './demo.js';
import { createLogger, openHubDatabase } from './open-database.js';
import type { HubServices } from './services.js';

export interface StartHubOptions {
  /** Config file (YAML or JSON). */
  configFile?: string;
  /** Environment to read configuration variables from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Command-line values by dotted path, e.g. `{ 'hub.port': 9000 }`. */
  overrides?: Record<string, unknown>;
  /** Demo mode: demo users from examples/demo and the dummy authenticator (loopback only). */
  demo?: boolean;
  /** Where start-up messages for the person at the terminal go (default: stderr). */
  print?: (line: string) => void;
}

export interface RunningHub {
  /** The URL users open, e.g. http://127.0.0.1:8000/ */
  url: string;
  config: CoursehubConfig;
  services: HubServices;
  database: DatabaseHandle;
  app: FastifyInstance;
  /** Stops listening, then closes the database. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startHub(options: StartHubOptions = {}): Promise<RunningHub> {
  // Messages for the person at the terminal go to stderr, keeping stdout pure JSON log lines.
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const overrides = { ...options.overrides };
  if (options.demo) {
    overrides['auth.authenticator'] ??= 'dummy';
    overrides['users.instructors'] ??= DEMO_ROSTERS.instructors;
    overrides['users.students'] ??= DEMO_ROSTERS.students;
  }
  const loaded = loadConfig({ file: options.configFile, env: options.env, overrides });
  const log = createLogger(loaded.config);
  for (const warning of loaded.warnings) log.warn(warning);

  const opened = await openHubDatabase(loaded.config, { log });
  const { base } = opened;
  let hub: BuiltHub | undefined;
  let watchdog: ProxyWatchdog | undefined;
  try {
    hub = await buildHub(base);
    const { instructors, students, prune } = base.config.users;
    if (instructors || students) {
      const report = await hub.services.rosters.importFiles({ instructors, students, prune });
      log.info({ ...countsOf(report), removed: report.removed }, 'roster files imported');
    }
    if (options.demo) {
      const course = await seedDemoCourse(base.db);
      if (course) log.info({ course }, 'demo course created');
    }
    const where = await placeBehindProxy(hub.services);
    await hub.app.listen({ host: where.host, port: where.port });
    // A proxy that dies is started again (or, run by someone else, given its routes when back).
    watchdog = watchProxy(hub.services, hub.services.proxy, { ensured: where.proxy });
  } catch (error) {
    await watchdog?.stop();
    await hub?.app.close().catch(() => {});
    await opened.close();
    throw error;
  }
  const { app, services } = hub;

  // Users come in through the proxy, on the public port.
  const port = base.config.hub.port;
  const url = `http://${urlHost(base.config.hub.ip)}:${port}${services.urls.base}`;
  log.info({ url, authenticator: base.config.auth.authenticator }, 'coursehub is running');
  print(`coursehub is running at ${url}`);
  if (options.demo) {
    print('Demo: log in as "instructor" (an admin) or "student1".."student3", with any password.');
  }

  let stopping: Promise<void> | undefined;
  const running = app;
  return {
    url,
    config: base.config,
    services,
    database: opened.database,
    app: running,
    stop() {
      stopping ??= (async () => {
        log.info('coursehub is stopping');
        await watchdog?.stop();
        try {
          await running.close();
        } finally {
          await opened.close();
        }
      })();
      return stopping;
    },
  };
}

/**
 * Where the hub listens, behind the proxy: starts the proxy (or re-uses the one a previous hub left
 * running, re-syncing its routes from the database) on hub.ip:hub.port, and returns
 * 127.0.0.1:hub.hubPort for the hub.
 */
async function placeBehindProxy(
  services: HubServices,
): Promise<{ host: string; port: number; proxy: EnsuredProxy }> {
  const proxy = await ensureProxy(services, services.proxy, {
    wantedRoutes: () => services.servers.routesOfRunningServers(),
  });
  return { host: '127.0.0.1', port: services.config.hub.hubPort, proxy };
}

function urlHost(ip: string): string {
  if (ip === '0.0.0.0' || ip === '::') return '127.0.0.1';
  return ip.includes(':') ? `[${ip}]` : ip;
}

function countsOf(report: { created: string[]; updated: string[]; unchanged: string[] }) {
  return {
    created: report.created.length,
    updated: report.updated.length,
    unchanged: report.unchanged.length,
  };
}
