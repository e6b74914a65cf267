/**
 * The proxy as the hub sees it, in one call for src/app/build-hub.ts: sets `ctx.proxy` (the API
 * client the spawner uses to add and remove routes) and registers the hub-side routes. Needs the
 * login area (ctx.auth) registered first, for the sessions it checks and whose revocations it
 * forwards.
 */
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context.js';
import { TokenService } from '../tokens/index.js';
import { ProxyClient } from './client.js';
import { ProxyApiError, ProxyStartError } from './errors.js';
import { registerProxyHubRoutes } from './hub-routes.js';
import { readProxySecret } from './secret.js';

export function proxyApiUrl(ctx: Pick<HubContext, 'config'>): string {
  const { apiIp, apiPort } = ctx.config.proxy;
  return `http://${apiIp.includes(':') ? `[${apiIp}]` : apiIp}:${apiPort}`;
}

/** The client for the configured proxy (also used before the app exists, e.g. by ensureProxy). */
export function proxyClientFor(ctx: Pick<HubContext, 'config'>): ProxyClient {
  return new ProxyClient(proxyApiUrl(ctx), lazyProxySecret(ctx));
}

/**
 * Reads the secret on first use, not when the app is built, and never creates it: only starting
 * the proxy (ensureProxy) does, so a hub app built in a test leaves no file behind.
 */
function lazyProxySecret(ctx: Pick<HubContext, 'config'>): () => string {
  let secret: string | undefined;
  return () => {
    secret ??= readProxySecret(ctx.config.hub.dataDir);
    if (secret === undefined) {
      throw new ProxyApiError('There is no proxy secret yet, so no proxy of this hub is running.', {
        hint: 'Start the hub with `coursehub start` (it starts the proxy), or run `coursehub proxy`.',
      });
    }
    return secret;
  };
}

export function registerProxy(app: FastifyInstance, ctx: HubContext): void {
  if (!ctx.auth) {
    throw new ProxyStartError('The proxy routes need the login area, which is not registered yet.', {
      hint: 'In src/app/build-hub.ts, register the login area before registerProxy.',
    });
  }
  ctx.proxy ??= proxyClientFor(ctx);
  registerProxyHubRoutes(app, {
    db: ctx.db,
    sessions: ctx.auth.sessions,
    tokens: new TokenService(ctx.db),
    proxy: ctx.proxy,
    proxySecret: lazyProxySecret(ctx),
    adminAccess: ctx.config.proxy.adminAccess,
  });
}
