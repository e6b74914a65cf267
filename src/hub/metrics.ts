/**
 * Prometheus metrics at /hub/metrics (prom-client): requests by route and status, logins by
 * result, users, active sessions, and Node's process metrics. Each hub has its own registry
 * (built once by the composition root, src/app/services.ts), so several hubs in one process
 * (tests) do not mix their numbers.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { hasScope } from './scopes.js';
import type { HubUrls } from './urls.js';

export interface HubMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  /** result: 'success' | 'failure' | 'refused' | 'locked' (see loginResult). */
  logins: Counter<'result'>;
}

/** Where the gauges read their numbers, when scraped. */
export interface MetricSources {
  countUsers(): Promise<number>;
  countActiveSessions(): Promise<number>;
}

export function createHubMetrics(sources: MetricSources): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coursehub_' });
  const metrics: HubMetrics = {
    registry,
    requests: new Counter({
      name: 'coursehub_http_requests_total',
      help: 'HTTP requests answered by the hub, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'coursehub_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'coursehub_logins_total',
      help: 'Login attempts by result.',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
  // Counted when scraped, from the database, so they are right even after a restart.
  new Gauge({
    name: 'coursehub_users_total',
    help: 'Users in the hub.',
    registers: [registry],
    async collect() {
      this.set(await sources.countUsers());
    },
  });
  new Gauge({
    name: 'coursehub_active_sessions',
    help: 'Browser sessions that have not expired or been revoked.',
    registers: [registry],
    async collect() {
      this.set(await sources.countActiveSessions());
    },
  });
  return metrics;
}

/**
 * A login attempt's result, read from how the login routes answered (src/web/login/): a redirect
 * that sets the session cookie is a success, 401 a wrong name or password, 403 a refusal (not an
 * allowed user, or an expired form), 429 a lock-out, 400 a failed OAuth/OIDC callback. Read from
 * the outside so the login area need not know about metrics.
 */
export function loginResult(
  urls: HubUrls,
  method: string,
  route: string,
  status: number,
  setCookie: unknown,
): string | undefined {
  const isLogin =
    (method === 'POST' && route === urls.hub('login')) ||
    (method === 'GET' && route === urls.hub('oauth_callback'));
  if (!isLogin) return undefined;
  if (status >= 300 && status < 400)
    return [setCookie].flat().some((c) => typeof c === 'string' && c.startsWith('coursehub-session='))
      ? 'success'
      : undefined;
  return { 400: 'failure', 401: 'failure', 403: 'refused', 429: 'locked' }[status];
}

/**
 * Counts every response (by route template, not raw URL, so /hub/api/users/alice and .../bob
 * share a series and the label set stays bounded) and serves /hub/metrics to callers holding
 * `read:metrics` (a token with that scope, or an admin).
 */
export function registerMetrics(app: FastifyInstance, metrics: HubMetrics, urls: HubUrls): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    const login = loginResult(urls, request.method, route, reply.statusCode, reply.getHeader('set-cookie'));
    if (login) metrics.logins.inc({ result: login });
  });
  app.get(urls.hub('metrics'), async (request, reply) => {
    const identity = request.identity;
    if (!identity || !hasScope(identity.scopes, 'read:metrics'))
      return reply.code(403).send({
        status: 403,
        message: identity
          ? 'Reading metrics requires the read:metrics scope (an admin, or a token with read:metrics).'
          : 'Missing or invalid credentials. Send a token with the read:metrics scope: "Authorization: token TOKEN".',
      });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
