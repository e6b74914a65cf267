/**
 * Operational routes and hooks: `GET /hub/health` (for load balancers and `docker healthcheck`:
 * 200 when the database answers, 503 otherwise; no login needed, nothing secret in it) and an
 * `x-request-id` response header carrying the id Fastify logs each request under, so a user's
 * error report can be matched to the log lines.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { HubUrls } from '../hub/urls.js';

export interface OperationsDeps {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase: () => Promise<void>;
  log: FastifyBaseLogger;
  urls: HubUrls;
}

export async function registerOperations(app: FastifyInstance, deps: OperationsDeps): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.get(deps.urls.hub('health'), async (_request, reply) => {
    try {
      await deps.pingDatabase();
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      deps.log.error({ err: error }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
