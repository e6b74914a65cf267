/**
 * The composition root, second half: the Fastify app with every area's routes, each registrar
 * handed exactly the services it uses (built by ./services.ts). This is the one place that lists
 * the areas, in the order they must be registered.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerApi } from '../hub/api/index.js';
import { registerServerApi } from '../hub/api/servers.js';
import { ensureFirstAdmin } from '../hub/auth/auth-services.js';
import { registerIdentityHook } from '../hub/identity.js';
import { registerMetrics } from '../hub/metrics.js';
import { registerProxyHubRoutes } from '../hub/proxy/hub-routes.js';
import { registerServerLifecycle } from '../hub/servers/register.js';
import { HubUrls } from '../hub/urls.js';
import { registerAdmin } from '../web/admin/register.js';
import { registerAssets } from '../web/assets.js';
import { adminServerCell } from '../web/home/admin-server-cell.js';
import { registerCoursePages } from '../web/courses/register.js';
import { registerHomePages } from '../web/home/register.js';
import { registerLogin } from '../web/login/register.js';
import { registerOauthRoutes } from '../web/oauth/register.js';
import { registerSecurityHeaders } from '../web/security-headers.js';
import { useNullPrototypeJson } from './json-body.js';
import { registerOperations } from './operations.js';
import { routerErrorHandler } from './router-errors.js';
import { buildHubServices, type HubBase, type HubServiceOptions, type HubServices } from './services.js';

/** The areas of the hub app, in the order they are registered. */
export const HUB_AREAS = [
  'operations',
  'assets',
  'login',
  'api',
  'oauth',
  'admin',
  'proxy',
  'servers',
  'home',
  'courses',
] as const;
export type HubArea = (typeof HUB_AREAS)[number];

type Registrar = (app: FastifyInstance, services: HubServices) => Promise<void> | void;

const REGISTRARS: Record<HubArea, Registrar> = {
  // GET /hub/health and the x-request-id header on every response.
  operations: (app, s) =>
    registerOperations(app, { pingDatabase: () => s.stores.ping(), log: s.log, urls: s.urls }),
  // The stylesheet every page links to.
  assets: (app, s) => registerAssets(app, s.urls),
  // Its hooks set request.session and check CSRF for every later route.
  login: (app, s) => registerLogin(app, { auth: s.auth, users: s.users, urls: s.urls }),
  // request.identity (token or session; needs request.session), /hub/metrics and the REST API.
  api: async (app, s) => {
    registerIdentityHook(app, s.stores.users, s.tokens, s.serviceRegistry);
    registerMetrics(app, s.metrics, s.urls);
    await registerApi(app, {
      config: s.config,
      users: s.users,
      tokens: s.tokens,
      userRemoval: s.userRemoval,
      serverFields: s.serverFields,
      activity: s.activity,
      forgetCachedLogins: (user) => s.proxy.revoke({ users: [user] }),
      urls: s.urls,
      courses: s.courses,
      exchange: s.exchange,
      work: s.courseWork,
      jobs: s.courseJobs,
      services: s.serviceRegistry,
      servicePid: (name) => s.managedServices.pidOf(name),
      formgrader: s.formgrader,
      enrollment: s.enrollment,
      gradebook: s.gradebookReports,
    });
  },
  // /hub/api/oauth2/{authorize,token}: the hub as an OAuth2 provider (after the identity hook).
  oauth: (app, s) => registerOauthRoutes(app, { provider: s.oauth, urls: s.urls }),
  admin: (app, s) =>
    registerAdmin(app, {
      users: s.users,
      userRemoval: s.userRemoval,
      rosters: s.rosters,
      serverFields: s.serverFields,
      serverCell: adminServerCell(s.urls),
      localPasswords: s.auth.localAccounts !== null,
      urls: s.urls,
    }),
  // /hub/api/proxy{,/authorize}, and revoked sessions pushed to the proxy.
  proxy: (app, s) =>
    registerProxyHubRoutes(app, {
      users: s.stores.users,
      sessions: s.sessions,
      tokens: s.tokens,
      proxy: s.proxy,
      proxySecret: s.proxySecret,
      adminAccess: s.config.proxy.adminAccess,
      urls: s.urls,
      servers: s.servers,
      services: s.serviceRegistry,
    }),
  // The /server API routes; re-attach, poll loop and culler once the app is ready.
  servers: async (app, s) => {
    await registerServerApi(app, { servers: s.servers, urls: s.urls });
    registerServerLifecycle(app, {
      servers: s.servers,
      activity: s.activity,
      cullIdleTimeoutSeconds: s.config.spawner.cullIdleTimeoutSeconds,
      activityIntervalSeconds: s.config.spawner.activityIntervalSeconds,
      log: s.log,
    });
  },
  home: (app, s) =>
    registerHomePages(app, {
      servers: s.servers,
      urls: s.urls,
      // An admin may open every course's page (as its instructor): all are listed.
      coursesOf: async (user) => {
        const own = await s.courses.coursesOf(user.name);
        if (!user.admin) return own;
        const roles = new Map(own.map((c) => [c.name, c.role]));
        return (await s.courses.all()).map((c) => ({ ...c, role: roles.get(c.name) ?? 'admin' }));
      },
    }),
  // The student and instructor pages of each course.
  courses: (app, s) =>
    registerCoursePages(app, {
      courses: s.courses,
      exchange: s.exchange,
      work: s.courseWork,
      jobs: s.courseJobs,
      formgrader: s.formgrader,
      enrollment: s.enrollment,
      editor: s.assignmentEditor,
      gradebook: s.gradebookReports,
      urls: s.urls,
    }),
};

/**
 * The hub's Fastify instance, with the limits, request ids, JSON parser and router answers every
 * hub app has. `baseUrl` is hub.baseUrl (the REST API's router refusals are JSON).
 */
export function createHubFastify(log: FastifyBaseLogger, baseUrl = '/'): FastifyInstance {
  const app = Fastify({
    loggerInstance: log,
    // 1 MiB is plenty for every form and API body; uploads (notebooks) set their own limit.
    bodyLimit: 1024 * 1024,
    // Exactly one hop, the proxy in front (which sets X-Forwarded-For from its socket): only the
    // last entry counts, whatever a client put before it.
    trustProxy: (address: string, hop: number) => hop === 0 && address === '127.0.0.1',
    // A request id unique across restarts and processes (Fastify's default counts from req-1 in
    // every process), so a log line can be traced whatever hub process wrote it.
    genReqId: () => randomUUID(),
    frameworkErrors: routerErrorHandler(new HubUrls(baseUrl).api()),
  });
  useNullPrototypeJson(app);
  registerSecurityHeaders(app);
  return app;
}

/** Registers the given areas (default: all), always in HUB_AREAS order. */
export async function registerHubAreas(
  app: FastifyInstance,
  services: HubServices,
  areas: readonly HubArea[] = HUB_AREAS,
): Promise<void> {
  for (const area of HUB_AREAS) if (areas.includes(area)) await REGISTRARS[area](app, services);
}

export interface BuildHubOptions extends Omit<HubServiceOptions, 'hubApiUrl'> {
  /** Only these areas (tests of one area); default: all. */
  areas?: readonly HubArea[];
}

export interface BuiltHub {
  app: FastifyInstance;
  services: HubServices;
}

/**
 * The hub: services, the first local admin (printed once when generated), and the app with
 * every area. Not listening yet; the servers' hub API URL follows the port it will listen on.
 */
export async function buildHub(base: HubBase, options: BuildHubOptions = {}): Promise<BuiltHub> {
  const app = createHubFastify(base.log, base.config.hub.baseUrl);
  const services = await buildHubServices(base, {
    ...options,
    hubApiUrl: () => listeningApiUrl(app, services),
  });
  await ensureFirstAdmin(services.auth, services.urls.hub('change-password'), options.auth?.print);
  await registerHubAreas(app, services, options.areas);
  return { app, services };
}

/** The hub's API as a server on this machine reaches it: the port it listens on, once it does. */
function listeningApiUrl(app: FastifyInstance, services: HubServices): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : services.config.hub.hubPort;
  return `http://127.0.0.1:${port}${services.urls.api()}`;
}
