/**
 * Puts the hub together: the Fastify app with every area's routes, built from a HubContext.
 * Areas export `register...(app, ctx)` functions; this is the one place that lists them, in order.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { HubContext } from '../hub/context.js';
import { registerOperations } from './operations.js';
import { registerApi } from '../hub/api/index.js';
import { registerAdmin } from '../web/admin/register.js';
import { registerLogin } from '../web/login/register.js';
import { registerProxy } from '../hub/proxy/hub-proxy.js';
import { registerServers } from '../hub/servers/register.js';
import { registerHomePages } from '../web/home/register.js';

export async function buildHubApp(ctx: HubContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    // 1 MiB is plenty for every form and API body; uploads (notebooks) set their own limit.
    bodyLimit: 1024 * 1024,
    trustProxy: '127.0.0.1',
    // A request id unique across restarts and processes (Fastify's default counts from req-1 in
    // every process), so a log line can be traced whatever hub process wrote it.
    genReqId: () => randomUUID(),
  });

  // Operations first: GET /hub/health and the x-request-id header on every response.
  await registerOperations(app, ctx);
  // Login first: its hooks set request.session and check CSRF for every later route.
  await registerLogin(app, ctx);
  // REST API, request.identity (token or session) and /hub/metrics; needs request.session.
  await registerApi(app, ctx);
  await registerAdmin(app, ctx);
  // Proxy: ctx.proxy (route client) + /hub/api/proxy{,/authorize}; needs ctx.auth and identity.
  registerProxy(app, ctx);
  // User servers: ctx.servers, the /server API routes, re-attach + poll loop; needs ctx.proxy.
  await registerServers(app, ctx);
  registerHomePages(app, ctx);

  return app;
}
