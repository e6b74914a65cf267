/**
 * Operational routes and hooks: `GET /hub/health` (for load balancers and `docker healthcheck`:
 * 200 when the database answers, 503 otherwise; no login needed, nothing secret in it) and an
 * `x-request-id` response header carrying the id Fastify logs each request under, so a user's
 * error report can be matched to the log lines.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { HubContext } from '../hub/context.js';

export function hubPath(ctx: HubContext, path: string): string {
  const base = ctx.config.hub.baseUrl.endsWith('/') ? ctx.config.hub.baseUrl : `${ctx.config.hub.baseUrl}/`;
  return `${base}${path.replace(/^\//, '')}`;
}

export async function registerOperations(app: FastifyInstance, ctx: HubContext): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get(hubPath(ctx, 'hub/health'), async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      ctx.log.error({ err: error }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
