/**
 * `coursehub start`, as a function: load and check the configuration, open and migrate the
 * database, ensure the cookie secret, build the hub (./build-hub.ts), import the roster files,
 * start or re-use the proxy, apply the user servers' egress policy, listen, and stop cleanly (the
 * policy stays: servers outlive the hub). The CLI (src/cli/start.ts) and the tests (test/support/hub.ts) both run this.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { loadConfig } from '../config/load.js';
import type { CoursehubConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../db/database.js';
import { ensureProxy, stopProxy, type EnsuredProxy } from '../hub/proxy/lifecycle.js';
import { loadTlsPair } from '../hub/proxy/tls-pair.js';
import { dockerClient } from '../hub/spawner/docker-client.js';
import { checkHostPaths } from '../hub/spawner/docker-host-paths.js';
import { servesTls } from '../hub/proxy/tls-probe.js';
import { watchProxy, type ProxyWatchdog } from '../hub/proxy/watchdog.js';
import { CoursehubError } from '../util/errors.js';
import { buildHub, type BuiltHub } from './build-hub.js';
import { DEMO_ASSIGNMENT, DEMO_COURSE, DEMO_ROSTERS, seedDemoCourse } from './demo.js';
import { createLogger, openHubDatabase } from './open-database.js';
import type { HubServices } from './services.js';
import { syncServiceRoutes } from '../hub/services/service-routes.js';

/** The hub could not start listening (its port is taken, or not ours to use). */
export class HubStartError extends CoursehubError {}

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
  const { certFile, keyFile } = loaded.config.https;
  // A pair that cannot be served stops the start here, with its message, before anything
  // starts (the proxy would otherwise fail in its own log).
  if (certFile !== undefined && keyFile !== undefined) loadTlsPair(certFile, keyFile);
  const log = createLogger(loaded.config);
  for (const warning of loaded.warnings) log.warn(warning);

  const opened = await openHubDatabase(loaded.config, { log, createDataDir: true });
  const { base } = opened;
  let hub: BuiltHub | undefined;
  let proxy: EnsuredProxy | undefined;
  let proxyWasRunning = true;
  let watchdog: ProxyWatchdog | undefined;
  try {
    const { spawner } = base.config;
    if (spawner.class === 'docker' || spawner.class === 'docker-swarm')
      await checkHostPaths(
        dockerClient(spawner.docker.host),
        [base.config.hub.dataDir, tmpdir()],
        (message) => log.warn(message),
      );
    hub = await buildHub(base);
    const seedCourse = await hub.services.enrollment.ensureSeedCourse();
    if (seedCourse) log.info({ course: seedCourse }, "the seed's course is ready");
    // An existing COURSE_HOME keeps its owner and mode; if the course group cannot work in it, say how to fix it.
    const fix = seedCourse ? await hub.services.courses.groupAccessAdvice(seedCourse) : undefined;
    if (seedCourse && fix) {
      const directory = (await hub.services.courses.require(seedCourse)).directory;
      log.warn(
        { course: seedCourse, directory, fix },
        "the seed's course directory is not shared with the course group",
      );
      print(
        `coursehub: ${directory} (COURSE_HOME of ${seedCourse}) keeps its owner and mode, and the course's ` +
          `instructors and graders cannot share it. To let them: ${fix}`,
      );
    }
    // What a hub killed in the middle of a release, submit or feedback left in the exchange's area.
    const swept = await hub.services.exchange.sweep();
    if (swept.length > 0) log.warn({ swept }, 'removed unfinished exchange folders');
    // Jobs (collect, autograde, feedback) run in the hub process: those of a previous one are lost.
    const lost = await hub.services.courseJobs.failInterrupted();
    if (lost > 0) log.warn({ jobs: lost }, 'marked course jobs the previous hub was running as failed');
    const { instructors, students, prune } = base.config.users;
    if (instructors || students) {
      const report = await hub.services.rosters.importFiles({ instructors, students, prune });
      log.info({ ...countsOf(report), removed: report.removed }, 'roster files imported');
    }
    if (options.demo) {
      const demo = await seedDemoCourse(hub.services);
      log.info(demo, 'the demo course is ready');
    }
    // The configured services and their tokens (a service's token works from here on).
    await hub.services.serviceRegistry.syncToDatabase();
    proxyWasRunning = await hub.services.proxy.isRunning();
    proxy = await ensureProxy(hub.services, hub.services.proxy, {
      wantedRoutes: () => hub!.services.servers.routesOfRunningServers(),
    });
    if (proxy.outcome === 'reused' && base.config.https.certFile !== undefined)
      await warnOfPlainProxy(base.config, log, print);
    const putBackServiceRoutes = () => syncServiceRoutes(hub!.services.proxy, hub!.services.serviceRegistry);
    await putBackServiceRoutes();
    // Before listening, so that no server starts before the policy holds; servers a previous hub
    // left running are covered again. (With hub.hubPort 0 the first server start rewrites the
    // rules with the port the hub got.)
    await hub.services.egress.install();
    await listenBehindProxy(hub);
    // Managed services once the hub answers: they call its API as they start.
    hub.services.managedServices.start();
    // A proxy that dies is started again (or, run by someone else, given its routes when back).
    watchdog = watchProxy(hub.services, hub.services.proxy, {
      ensured: proxy,
      putBackOtherRoutes: putBackServiceRoutes,
    });
  } catch (error) {
    await watchdog?.stop();
    await hub?.services.managedServices.stop();
    // A proxy this start launched belongs to no hub now: stop it rather than leave it holding
    // hub.port. (One that was running already, re-used, stays: it serves open notebooks.) It
    // may have been launched by an ensureProxy that then failed (re-syncing its routes).
    const launchedHere =
      proxy?.outcome === 'started' ||
      (proxy === undefined && !proxyWasRunning && (await hub?.services.proxy.isRunning().catch(() => false)));
    if (launchedHere)
      await stopProxy(base.config.hub.dataDir).catch((err: unknown) =>
        log.error({ err }, 'could not stop the proxy this failed start launched'),
      );
    await hub?.app
      .close()
      .catch((err: unknown) => log.warn({ err }, 'closing the hub app after a failed start'));
    await opened.close();
    throw error;
  }
  const { app, services } = hub;

  // Users come in through the proxy, on the public port.
  const port = base.config.hub.port;
  const scheme = base.config.https.certFile === undefined ? 'http' : 'https';
  const url = `${scheme}://${urlHost(base.config.hub.ip)}:${port}${services.urls.base}`;
  log.info({ url, authenticator: base.config.auth.authenticator }, 'coursehub is running');
  print(`coursehub is running at ${url}`);
  if (options.demo) {
    print('Demo: log in as "instructor" (an admin) or "student1".."student3", with any password.');
    print(
      `Demo: course ${DEMO_COURSE} has the assignment "${DEMO_ASSIGNMENT}" released; a student fetches it with ` +
        `\`coursehub nbgrader fetch_assignment ${DEMO_ASSIGNMENT} --course ${DEMO_COURSE}\` in a terminal of their server ` +
        `(into ./${DEMO_ASSIGNMENT}/ there), or with Fetch on the course page (into ~/${DEMO_COURSE}/${DEMO_ASSIGNMENT}/).`,
    );
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
        await services.managedServices.stop();
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
 * The hub listens on hub.hubIp (127.0.0.1 by default):hub.hubPort, behind the proxy (started, or re-used with its routes
 * re-synced from the database, by ensureProxy on hub.ip:hub.port). A port taken by another
 * program is said in words, naming the key.
 */
async function listenBehindProxy(hub: BuiltHub): Promise<void> {
  const { hubPort: port, hubIp: host } = hub.services.config.hub;
  try {
    await hub.app.listen({ host, port });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    throw new HubStartError(
      code === 'EADDRINUSE'
        ? `hub.hubPort ${port} on ${host} is taken by another program.`
        : `hub.hubPort ${port} on ${host} may only be used by root.`,
      {
        hint: 'Choose a free port for hub.hubPort (COURSEHUB_HUB_HUB_PORT), or stop the program using it (`ss -ltnp` shows it).',
        cause: error,
      },
    );
  }
}

/** https is configured, but the proxy re-used from before may not serve it. */
async function warnOfPlainProxy(
  config: CoursehubConfig,
  log: FastifyBaseLogger,
  print: (line: string) => void,
): Promise<void> {
  const host = urlHost(config.hub.ip).replace(/^\[|\]$/g, '');
  if (await servesTls(host, config.hub.port)) return;
  const message =
    `The proxy already running on port ${config.hub.port} does not serve https (it was started before https was configured). ` +
    `Stop it (kill $(cat ${join(resolve(config.hub.dataDir), 'proxy.pid')}) or stop \`coursehub proxy\`) and start the hub again: it then starts one with https.`;
  log.warn(message);
  print(`warning: ${message}`);
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
