/**
 * A real hub app for the API tests: a migrated database (SQLite in memory or a fresh PostgreSQL
 * database) and the hub's services built by the composition root (src/app/services.ts), with the
 * login area (session hooks) and the REST API registered through it, answered through Fastify's
 * own HTTP handling (`inject`). Users are made through the real UserService, sessions through the
 * real SessionStore, tokens through the real TokenService.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pino from 'pino';
import { createHubFastify, registerHubAreas, type HubArea } from '../../../src/app/build-hub.js';
import { buildHubServices, type HubServices } from '../../../src/app/services.js';
import { configSchema } from '../../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import type { ServerFieldsProvider } from '../../../src/hub/api/index.js';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import type { SessionStore } from '../../../src/hub/auth/session-store.js';
import type { TokenService } from '../../../src/hub/tokens/index.js';
import type { UserService } from '../../../src/hub/users/user-service.js';

export interface ApiTestHub {
  app: FastifyInstance;
  services: HubServices;
  handle: DatabaseHandle;
  users: UserService;
  tokens: TokenService;
  sessions: SessionStore;
  /** Every route registered (method + URL template), for the tests that must cover them all. */
  routes: { method: string; url: string }[];
  /**
   * What the user JSON says about servers (the running hub's come from its ServerManager); a
   * test can stand in for the spawner area with its own.
   */
  setServerFields(provider: ServerFieldsProvider): void;
  /** Headers for a browser session of `name`: cookie, plus the CSRF header when `csrf`. */
  sessionHeaders(name: string, csrf?: boolean): Promise<Record<string, string>>;
  tokenHeaders(name: string, scopes?: string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startApiTestHub(
  url = ':memory:',
  log: FastifyBaseLogger = pino({ level: 'silent' }),
  /** The areas registered (default: login and the REST API). */
  areas: readonly HubArea[] = ['login', 'api'],
): Promise<ApiTestHub> {
  const handle = openDatabase({ url });
  await migrateToLatest(handle.db);
  const cookieSecret = 'a'.repeat(64);
  const config = configSchema.parse({ hub: { cookieSecret } });
  const built = await buildHubServices({ config, db: handle.db, log }, { auth: { env: {} } });
  let serverFields = built.serverFields;
  const services: HubServices = { ...built, serverFields: (user) => serverFields(user) };
  // The hub's own Fastify instance: its limits, body parsers and error pages.
  const app = createHubFastify(log);
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await registerHubAreas(app, services, areas);
  await app.ready();
  const { users, tokens, sessions } = services;
  return {
    app,
    services,
    handle,
    users,
    tokens,
    sessions,
    routes,
    setServerFields(provider) {
      serverFields = provider;
    },
    async sessionHeaders(name, csrf = true) {
      const session = await sessions.create(name);
      const headers: Record<string, string> = { cookie: `${SESSION_COOKIE_NAME}=${session.cookieValue}` };
      if (csrf) headers['x-xsrf-token'] = session.csrfToken;
      return headers;
    },
    async tokenHeaders(name, scopes) {
      const { token } = await tokens.create({ user: name, scopes });
      return { authorization: `token ${token}` };
    },
    async close() {
      await app.close();
      await handle.close();
    },
  };
}
