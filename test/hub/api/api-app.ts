/**
 * A real hub app for the API tests: a migrated database (SQLite in memory or a fresh PostgreSQL
 * database), the login area's real session store and hooks, and the REST API, answered through
 * Fastify's own HTTP handling (`inject`). Users are made through the real UserService, sessions
 * through the real SessionStore, tokens through the real TokenService.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { configSchema } from '../../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { registerApi } from '../../../src/hub/api/index.js';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { registerSessionHooks } from '../../../src/hub/auth/session-hook.js';
import { SessionStore } from '../../../src/hub/auth/session-store.js';
import type { HubContext } from '../../../src/hub/context.js';
import { TokenService } from '../../../src/hub/tokens/index.js';
import { UserService } from '../../../src/hub/users/user-service.js';

export interface ApiTestHub {
  app: FastifyInstance;
  ctx: HubContext;
  handle: DatabaseHandle;
  users: UserService;
  tokens: TokenService;
  sessions: SessionStore;
  /** Every route registered (method + URL template), for the tests that must cover them all. */
  routes: { method: string; url: string }[];
  /** Headers for a browser session of `name`: cookie, plus the CSRF header when `csrf`. */
  sessionHeaders(name: string, csrf?: boolean): Promise<Record<string, string>>;
  tokenHeaders(name: string, scopes?: string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export async function startApiTestHub(
  url = ':memory:',
  log: FastifyBaseLogger = pino({ level: 'silent' }),
): Promise<ApiTestHub> {
  const handle = openDatabase({ url });
  await migrateToLatest(handle.db);
  const cookieSecret = 'a'.repeat(64);
  const config = configSchema.parse({ hub: { cookieSecret } });
  const ctx: HubContext = { config, db: handle.db, dialect: handle.dialect, log };
  const sessions = new SessionStore(handle.db, { cookieSecret });
  // Same limits as src/app/build-hub.ts.
  const app = Fastify({ loggerInstance: log, bodyLimit: 1024 * 1024 });
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  await registerSessionHooks(app, sessions);
  const users = new UserService(handle.db);
  const tokens = new TokenService(handle.db);
  await registerApi(app, ctx, { users, tokens, revokeSessions: (name) => sessions.revokeAllForUser(name) });
  await app.ready();
  return {
    app,
    ctx,
    handle,
    users,
    tokens,
    sessions,
    routes,
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
