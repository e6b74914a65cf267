/**
 * What every part of the hub is given: configuration, database, logger, and the services the
 * areas provide (users, sessions, tokens, spawners, proxy). Each area adds its own service
 * field here and builds it in src/app/build-hub.ts.
 */
import type { Kysely } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../config/schema.js';
import type { Database } from '../db/schema.js';
import type { Dialect } from '../db/schema-helpers.js';
import type { AuthServices } from './auth/auth-services.js';
import type { UserService } from './users/user-service.js';
import type { ServerManager } from './servers/server-manager.js';
import type { ProxyClient } from './proxy/client.js';

export interface HubContext {
  config: CoursehubConfig;
  db: Kysely<Database>;
  dialect: Dialect;
  /** pino logger (Fastify's type, so it can be handed to Fastify as is). */
  log: FastifyBaseLogger;
  /**
   * Login: sessions (`auth.sessions.revokeAllForUser(name)` when deleting a user), the chosen
   * authenticator, local passwords. Set by registerLogin (src/web/login/) when the app is built.
   */
  auth?: AuthServices;
  /**
   * User servers: `ctx.servers.start(name)` / `.stop(name)`, their state and progress. Set by
   * registerServers (src/hub/servers/register.ts) when the app is built.
   */
  servers?: ServerManager;
  /**
   * The proxy's API client: `ctx.proxy.addUserServer({user, url, serverToken})` when a server is
   * ready, `ctx.proxy.deleteUserServer(user)` when it stops. Set by registerProxy
   * (src/hub/proxy/hub-proxy.ts) when the app is built.
   */
  proxy?: ProxyClient;
  /**
   * Hub users and groups (src/hub/users/): get/list/create/update/delete, groups. Set when the hub
   * opens (src/app/load-context.ts); deleting a user through it also revokes their sessions.
   */
  users?: UserService;
}
