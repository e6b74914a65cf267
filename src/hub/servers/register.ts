/**
 * User servers in one call for src/app/build-hub.ts: builds `ctx.servers` (the ServerManager over
 * the configured spawner and the proxy client), re-attaches to servers that outlived the last hub
 * process, starts the poll loop and the idle culler, fills the server fields of the user JSON, and
 * adds the server routes of the REST API. Register after the proxy (it needs ctx.proxy) and after
 * the REST API (whose identity hook the routes rely on).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { toApiError } from '../api/api-error.js';
import { registerServerRoutes } from '../api/servers.js';
import { provideServerFields } from '../api/user-model.js';
import type { HubContext } from '../context.js';
import { spawnerFactoryFromConfig } from '../spawner/factory.js';
import { ServerStartError } from './errors.js';
import { cullIdleServers } from './idle-culler.js';
import { ServerManager, type ServerRoutes, type UserServerRoute } from './server-manager.js';
import { serverFieldsOf } from './server-model.js';
import { hubServerTokens } from './server-tokens.js';

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** The hub's API as a server on this machine reaches it, once the hub listens. */
function hubApiUrlOf(app: FastifyInstance, ctx: HubContext): () => string {
  return () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : ctx.config.hub.hubPort;
    return `http://127.0.0.1:${port}${withSlash(ctx.config.hub.baseUrl)}hub/api`;
  };
}

export function createServerManager(
  ctx: HubContext,
  routes: ServerRoutes,
  hubApiUrl: string | (() => string),
): ServerManager {
  const settings = ctx.config.spawner;
  const log = ctx.log.child({ area: 'servers' });
  return new ServerManager({
    db: ctx.db,
    log,
    settings,
    spawnerFactory: spawnerFactoryFromConfig(settings, {
      logDir: join(ctx.config.hub.dataDir, 'logs', 'servers'),
      log,
    }),
    routes,
    tokens: hubServerTokens(ctx.db, async (user) => ctx.proxy?.revoke({ users: [user] })),
    hubApiUrl,
    hubBaseUrl: withSlash(ctx.config.hub.baseUrl),
  });
}

export async function registerServers(app: FastifyInstance, ctx: HubContext): Promise<ServerManager> {
  if (!ctx.proxy)
    throw new ServerStartError('User servers need the proxy client, which is not registered yet.', {
      hint: 'In src/app/build-hub.ts, register the proxy before registerServers.',
    });
  const manager = (ctx.servers ??= createServerManager(ctx, ctx.proxy, hubApiUrlOf(app, ctx)));
  provideServerFields(ctx, (user) => serverFieldsOf(manager, user.name));

  await app.register(
    async (api) => {
      // Same JSON errors as the rest of /hub/api (JupyterHub's {status, message}).
      api.setErrorHandler(async (error, request, reply) => {
        const known = toApiError(error);
        if (known) return reply.code(known.status).send({ status: known.status, message: known.message });
        request.log.error({ err: error }, 'server API request failed');
        const message =
          error instanceof ServerStartError
            ? error.describe()
            : 'The hub hit an unexpected error; it has been logged.';
        return reply.code(500).send({ status: 500, message });
      });
      registerServerRoutes(api, manager);
    },
    { prefix: '/hub/api' },
  );

  app.addHook('onReady', async () => {
    await manager.reattach();
    const routes = ctx.proxy!;
    manager.startBackgroundTasks(async () => {
      await cullIdleServers({
        manager,
        routes,
        timeoutSeconds: ctx.config.spawner.cullIdleTimeoutSeconds,
        log: ctx.log,
      });
    });
  });
  app.addHook('onClose', async () => {
    await manager.close();
  });
  return manager;
}

/**
 * The routes the proxy should have, from the database (for the proxy's start-up re-sync, which
 * runs before the hub app exists).
 */
export async function wantedServerRoutes(ctx: HubContext): Promise<UserServerRoute[]> {
  const manager = createServerManager(
    ctx,
    { addUserServer: async () => {}, deleteUserServer: async () => {} },
    '',
  );
  const factory = spawnerFactoryFromConfig(ctx.config.spawner, {
    logDir: join(ctx.config.hub.dataDir, 'logs', 'servers'),
    log: ctx.log,
  });
  const routes: UserServerRoute[] = [];
  for (const record of await manager.store.all()) {
    if (record.pending !== null) continue;
    const spawner = factory(record.userName, record.name);
    spawner.loadState(record.state);
    const server = spawner.current();
    if (server && (await spawner.poll()) === null)
      routes.push({
        user: record.userName,
        serverName: record.name,
        url: new URL(server.url).origin,
        serverToken: server.token,
      });
  }
  return routes;
}
