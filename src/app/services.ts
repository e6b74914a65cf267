/**
 * The composition root, first half: every service of the hub, built once, explicitly, in the
 * order they depend on each other. Nothing else in src/ builds a service of another area; route
 * registrars (./build-hub.ts) are handed exactly the services they use.
 *
 *   stores        the database, one store per aggregate (src/db/stores/)
 *   users         UserService: users and groups
 *   tokens        TokenService: API tokens
 *   sessions      SessionStore: browser sessions (signed with hub.cookieSecret)
 *   proxy         ProxyClient: the proxy's routes and login cache (+ proxySecret)
 *   egress        EgressPolicy: what user servers may connect to (applied by start.ts)
 *   servers       ServerManager: user servers over the configured spawner (an instructor's and
 *                 grader's server sees their course directories: courseFoldersOf)
 *   serverFields  the server part of the REST API's user JSON, from `servers`
 *   userRemoval   the one way to remove a user (servers, tokens, sessions, proxy, row)
 *   rosters       the roster import, pruning through userRemoval
 *   courses       CourseService: courses and roles (src/exchange/courses/)
 *   enrollment    CourseEnrollment: roster files into courses; the seed's course (course.name)
 *   exchange      Exchange: release, fetch, submit, collect, feedback (src/exchange/)
 *   courseWork    CourseWork: assignments, generate, autograde, feedback, gradebook (hub's database)
 *   courseJobs    CourseJobs: collect / autograde / feedback as jobs in this process
 *   serviceRegistry  JupyterHub's services from the configuration (tokens, scopes, OAuth clients)
 *   managedServices  the services the hub runs itself (started by start.ts)
 *   oauth         the hub as an OAuth2 provider: clients (services, running servers), codes, tokens
 *   formgrader    Formgrader: grading by hand (submissions, grading page, saves, anonymous grading)
 *   assignmentEditor  AssignmentEditor: nbgrader's cell marks on source notebooks (instructors)
 *   gradebookReports GradebookReports: the gradebook pages, their CSVs and analytics
 *   nbgraderImport  NbgraderImport: a class moved in from nbgrader's course directory and gradebook.db
 *   nbgraderExport  NbgraderExport: a course moved out as an nbgrader course directory and gradebook.db
 *   jupyterhubImport  JupyterhubImport: users, admins and groups moved in from a JupyterHub database
 *   metrics       Prometheus metrics, counting from the stores
 *   auth          login: the authenticator, local passwords, login states (buildHubServices only)
 *
 * `buildCoreServices` is everything but login, for the commands that work on a hub's data
 * without serving pages (`users import`, `token create`): they must not fail for want of an
 * OAuth secret only the running hub is given.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { CoursehubConfig } from '../config/schema.js';
import type { Database } from '../db/schema.js';
import { egressPolicyFromConfig } from './egress.js';
import { createHubStores, type HubStores } from '../db/stores/hub-stores.js';
import type { ServerFieldsProvider } from '../hub/api/user-model.js';
import {
  createAuthServices,
  createSessionStore,
  type AuthServices,
  type CreateAuthOptions,
} from '../hub/auth/auth-services.js';
import type { SessionStore } from '../hub/auth/session-store.js';
import { createHubMetrics, type HubMetrics } from '../hub/metrics.js';
import { ProxyClient } from '../hub/proxy/client.js';
import { lazyProxySecret, proxyApiUrl } from '../hub/proxy/hub-proxy.js';
import { ServerManager } from '../hub/servers/server-manager.js';
import { serverFieldsOf } from '../hub/servers/server-model.js';
import { ServerActivity } from '../hub/servers/activity.js';
import { hubServerTokens } from '../hub/servers/server-tokens.js';
import { dockerClient } from '../hub/spawner/docker-client.js';
import { spawnerFactoryFromConfig } from '../hub/spawner/factory.js';
import type { CourseFolder } from '../hub/spawner/local-process-spawner.js';
import type { UserStorage } from '../hub/spawner/spawner.js';
import { lookupGroup } from '../sandbox/course-groups.js';
import { TokenService } from '../hub/tokens/index.js';
import { ManagedServices } from '../hub/services/managed-services.js';
import { ServiceRegistry } from '../hub/services/service-registry.js';
import { OauthClients } from '../hub/oauth/clients.js';
import { OauthProvider, publicSessionId } from '../hub/oauth/provider.js';
import { HubUrls } from '../hub/urls.js';
import { CourseStores } from '../db/stores/course-stores.js';
import { CourseService } from '../exchange/courses/course-service.js';
import { DEFAULT_IGNORE, Exchange, limitsFromConfig } from '../exchange/exchange.js';
import { CourseEnrollment } from '../hub/courses/course-enrollment.js';
import { CourseJobs } from '../hub/courses/course-jobs.js';
import { CourseWork } from '../hub/courses/course-work.js';
import { Formgrader } from '../hub/courses/formgrader.js';
import { AssignmentEditor } from '../hub/courses/assignment-editor.js';
import { GradebookReports } from '../hub/courses/gradebook-reports.js';
import { NbgraderExport } from '../hub/courses/nbgrader-export.js';
import { NbgraderImport } from '../hub/courses/nbgrader-import.js';
import { AUTOGRADE_KERNEL_TIMINGS } from '../grading/autograde/settings.js';
import type { KernelLauncher } from '../grading/execution.js';
import { createKernelLauncher } from '../kernel/index.js';
import { availableParallelism } from 'node:os';
import { RosterImport } from '../hub/users/roster-import.js';
import { unixAccountNameCheck } from '../hub/users/unix-account-names.js';
import type { EgressPolicy } from '../sandbox/egress-policy.js';
import { UserRemoval } from '../hub/users/user-removal.js';
import { UserService } from '../hub/users/user-service.js';
import { JupyterhubImport } from '../hub/users/jupyterhub-import.js';

/** What every hub process starts from: its configuration, its database and its logger. */
export interface HubBase {
  config: CoursehubConfig;
  db: Kysely<Database>;
  /** pino logger (Fastify's type, so it can be handed to Fastify as is). */
  log: FastifyBaseLogger;
}

export interface CoreServices {
  config: CoursehubConfig;
  log: FastifyBaseLogger;
  urls: HubUrls;
  stores: HubStores;
  users: UserService;
  tokens: TokenService;
  sessions: SessionStore;
  proxy: ProxyClient;
  /** The secret the proxy and the hub share, read on first use (never created here). */
  proxySecret: string | (() => string);
  /** Inert until `install()` (coursehub start); then every server start is admitted through it. */
  egress: EgressPolicy;
  servers: ServerManager;
  /** Servers' and users' last_activity: recorded from the proxy and servers, and reported to the API. */
  activity: ServerActivity;
  serverFields: ServerFieldsProvider;
  userRemoval: UserRemoval;
  rosters: RosterImport;
  courseStores: CourseStores;
  courses: CourseService;
  enrollment: CourseEnrollment;
  exchange: Exchange;
  courseWork: CourseWork;
  courseJobs: CourseJobs;
  serviceRegistry: ServiceRegistry;
  managedServices: ManagedServices;
  oauth: OauthProvider;
  /** Grading by hand: the submissions list, the grading page, saves, anonymous grading. */
  formgrader: Formgrader;
  /** nbgrader's cell marks on source notebooks, for instructors. */
  assignmentEditor: AssignmentEditor;
  gradebookReports: GradebookReports;
  nbgraderImport: NbgraderImport;
  nbgraderExport: NbgraderExport;
  jupyterhubImport: JupyterhubImport;
  metrics: HubMetrics;
  /** A user's files through their default server's spawner (backup and restore use it). */
  userStorage: (userName: string) => UserStorage;
}

export interface HubServices extends CoreServices {
  auth: AuthServices;
}

export interface HubServiceOptions {
  /**
   * The hub API as the user servers reach it. A function: the port is known only once the hub
   * listens (./build-hub.ts passes the listening one). Default: 127.0.0.1:hub.hubPort.
   */
  hubApiUrl?: () => string;
  auth?: CreateAuthOptions;
  /** Another proxy than the configured one (tests and benchmarks that run their own). */
  proxy?: { client: ProxyClient; secret: string | (() => string) };
}

export function buildCoreServices(base: HubBase, options: HubServiceOptions = {}): CoreServices {
  const { config, log } = base;
  const urls = new HubUrls(config.hub.baseUrl);
  const stores = createHubStores(base.db);
  // User servers run as Unix accounts named after their users (the local spawner, the only
  // class so far): names of system accounts and of accounts coursehub did not make are refused.
  const accountCheck = unixAccountNameCheck(config.spawner.local.homeRoot);
  const courseStores = new CourseStores(base.db);
  const courses = new CourseService(courseStores, { dataDir: config.hub.dataDir });
  // Enrolling makes missing users itself: through a user service that does not enroll them again
  // in the seed's course.
  const enrollment = new CourseEnrollment(new UserService(stores, accountCheck), courses, config.course);
  const users = new UserService(stores, accountCheck, (created) => enrollment.enrollNewUsers(created));
  const tokens = new TokenService(stores.tokens);
  const sessions = createSessionStore(config, stores.logins);

  const proxySecret = options.proxy?.secret ?? lazyProxySecret(config.hub.dataDir);
  const proxy = options.proxy?.client ?? new ProxyClient(proxyApiUrl(config), proxySecret, urls.base);
  // The tokens are revoked in the database either way; a proxy that cannot be told drops its cached
  // logins when they expire (a minute), so this is logged rather than failing the stop.
  const forgetCachedLogins = (user: string) =>
    proxy
      .revoke({ users: [user] })
      .catch((err: unknown) =>
        log.warn({ err, user }, 'the proxy could not be told to forget cached logins'),
      );

  const serverLog = log.child({ area: 'servers' });
  const hubApiUrl = options.hubApiUrl ?? (() => `http://127.0.0.1:${config.hub.hubPort}${urls.api()}`);
  const egress = egressPolicyFromConfig(config, hubApiUrl, serverLog);
  const spawnerFactory = spawnerFactoryFromConfig(config.spawner, {
    logDir: join(config.hub.dataDir, 'logs', 'servers'),
    runtimeDir: join(config.hub.dataDir, 'runtime'),
    log: serverLog,
    egress,
    courseFolders: (userName) => courseFoldersOf(courses, userName),
  });
  const servers = new ServerManager({
    store: stores.servers,
    log: serverLog,
    settings: config.spawner,
    spawnerFactory,
    routes: proxy,
    tokens: hubServerTokens(tokens, forgetCachedLogins),
    hubApiUrl,
    urls,
  });

  const userRemoval = new UserRemoval({ users: stores.users, servers, tokens, sessions, proxy, log });
  // Student code is graded in sandboxed kernels (bubblewrap), made once, on the first grading;
  // generate (the page's, the API's, and release's when it generates first) expands AUTOTEST in them.
  let launcher: KernelLauncher | undefined;
  const gradingLauncher = () =>
    (launcher ??= createKernelLauncher({
      // Under the Docker spawner, each kernel in a throwaway container of the servers' image.
      ...(config.spawner.class === 'docker' || config.spawner.class === 'docker-swarm'
        ? {
            sandbox: 'container',
            container: {
              docker: dockerClient(config.spawner.docker.host),
              image: config.spawner.docker.image,
            },
          }
        : { sandbox: 'bwrap' }),
      log: { warn: (details: object, message: string) => log.warn(details, message) },
      timings: AUTOGRADE_KERNEL_TIMINGS,
    }));
  // The users' files through their default server's spawner: its storage works while no server runs.
  const exchange = new Exchange({
    stores: courseStores,
    courses,
    dataDir: config.hub.dataDir,
    userFolders: (name) => spawnerFactory(name, '').storage,
    limits: limitsFromConfig(config.exchange),
    launcher: gradingLauncher,
  });
  const courseWork = new CourseWork({
    stores: courseStores,
    courses,
    launcher: gradingLauncher,
    // Leave a core to the hub and the users' servers.
    concurrency: Math.max(1, availableParallelism() - 1),
    // As submit reads it: the user's own rights, the exchange's limits, nbgrader's ignore globs.
    readUserFolder: (name, path) =>
      spawnerFactory(name, '').storage.packFolder(path, limitsFromConfig(config.exchange), {
        exclude: DEFAULT_IGNORE,
      }),
  });
  const serviceRegistry = new ServiceRegistry(config.services, urls, stores.services);
  const managedServices = new ManagedServices(serviceRegistry, {
    hubApiUrl,
    urls,
    logDir: join(config.hub.dataDir, 'logs', 'services'),
    log: log.child({ area: 'services' }),
  });
  const oauthClients = new OauthClients(
    serviceRegistry,
    {
      serverNamesOf: async (userName) => (await servers.records(userName)).map((r) => r.name),
      publicUrl: (userName, serverName) => servers.publicUrl(userName, serverName),
    },
    tokens,
  );
  // Logging out ends the OAuth tokens issued under that login, as in JupyterHub.
  sessions.onRevoke(({ sessionIds }) => {
    tokens
      .revokeOfSessions(sessionIds.map(publicSessionId))
      .catch((err: unknown) => log.warn({ err }, 'could not revoke the OAuth tokens of ended sessions'));
  });
  return {
    config,
    log,
    urls,
    stores,
    users,
    tokens,
    sessions,
    proxy,
    proxySecret,
    egress,
    servers,
    activity: new ServerActivity({
      manager: servers,
      servers: stores.servers,
      users: stores.users,
      routes: proxy,
      log: serverLog,
    }),
    serverFields: (user) => serverFieldsOf(servers, user.name, config.hub.publicUrl),
    userRemoval,
    rosters: new RosterImport(stores, userRemoval, accountCheck, (imported) =>
      enrollment.enrollRosterInSeedCourse(imported),
    ),
    courseStores,
    courses,
    enrollment,
    exchange,
    courseWork,
    courseJobs: new CourseJobs(courseStores, courseWork, exchange, log.child({ area: 'course-jobs' })),
    serviceRegistry,
    managedServices,
    oauth: new OauthProvider(oauthClients, stores.oauthCodes, tokens),
    formgrader: new Formgrader({ stores: courseStores, courses, work: courseWork }),
    assignmentEditor: new AssignmentEditor(courseWork),
    gradebookReports: new GradebookReports({ stores: courseStores, courses, work: courseWork }),
    nbgraderImport: new NbgraderImport(courseStores, { dataDir: config.hub.dataDir, accountCheck }),
    nbgraderExport: new NbgraderExport(courseStores),
    jupyterhubImport: new JupyterhubImport(users),
    metrics: createHubMetrics({
      countUsers: () => users.count(),
      countActiveSessions: () => sessions.countActive(),
    }),
    userStorage: (name) => spawnerFactory(name, '').storage,
  };
}

/**
 * The course directories a user's server works in: those of the courses they teach or grade, each
 * with its Unix group (asked at every server start, so a new role counts from the next start).
 */
async function courseFoldersOf(courses: CourseService, userName: string): Promise<CourseFolder[]> {
  const taught = (await courses.coursesOf(userName)).filter(
    (course) => course.role === 'instructor' || course.role === 'grader',
  );
  return Promise.all(
    taught.map(async (course) => ({
      course: course.name,
      directory: course.directory,
      gid: course.unixGroup === null ? undefined : (await lookupGroup(course.unixGroup))?.gid,
    })),
  );
}

/** Every service, login included. Rejects (AuthConfigError) when the auth section cannot work. */
export async function buildHubServices(base: HubBase, options: HubServiceOptions = {}): Promise<HubServices> {
  const core = buildCoreServices(base, options);
  const auth = await createAuthServices(base.config, core.stores, core.sessions, options.auth);
  return { ...core, auth };
}
