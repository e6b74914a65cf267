// The OpenAPI description lists every registered /hub/api route; /hub/metrics serves Prometheus
// text with the hub's counters to a read:metrics token or an admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestHub, type ApiTestHub } from './api-app.js';

let hub: ApiTestHub;
beforeAll(async () => {
  hub = await startApiTestHub();
  await hub.users.create({ name: 'boss', admin: true });
  await hub.users.create({ name: 'alice' });
});
afterAll(async () => hub?.close());

/** `/hub/api/users/:name` → `/hub/api/users/{name}`; the prefix root `/hub/api/` → `/hub/api`. */
function openApiPath(route: string): string {
  return route.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '');
}

describe('OpenAPI description', () => {
  it('is served and lists every registered /hub/api route with its method', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/hub/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const apiRoutes = hub.routes.filter((r) => r.url.startsWith('/hub/api'));
    expect(apiRoutes.length).toBeGreaterThan(15);
    const missing = apiRoutes.filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()]);
    expect(missing).toEqual([]);
    expect(doc.paths['/hub/api/users/{name}'].delete['x-scopes']).toEqual(['admin:users']);
  });
});

describe('/hub/metrics', () => {
  it('needs read:metrics: anonymous and students are refused, a read:metrics token is not', async () => {
    expect((await hub.app.inject({ method: 'GET', url: '/hub/metrics' })).statusCode).toBe(403);
    const student = await hub.tokenHeaders('alice');
    expect((await hub.app.inject({ method: 'GET', url: '/hub/metrics', headers: student })).statusCode).toBe(
      403,
    );
    const metricsOnly = await hub.tokenHeaders('boss', ['read:metrics']);
    const res = await hub.app.inject({ method: 'GET', url: '/hub/metrics', headers: metricsOnly });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    // that token can read metrics but nothing else
    expect(
      (await hub.app.inject({ method: 'GET', url: '/hub/api/users', headers: metricsOnly })).statusCode,
    ).toBe(403);
  });

  it('counts requests by route template and status, users, sessions and logins', async () => {
    const admin = await hub.sessionHeaders('boss');
    await hub.sessionHeaders('alice');
    for (const name of ['alice', 'boss', 'nobody'])
      await hub.app.inject({ method: 'GET', url: `/hub/api/users/${name}`, headers: admin });
    hub.services.metrics.logins.inc({ result: 'failure' });
    const text = (await hub.app.inject({ method: 'GET', url: '/hub/metrics', headers: admin })).body;
    expect(text).toMatch(
      /coursehub_http_requests_total\{method="GET",route="\/hub\/api\/users\/:name",status="200"\} 2\n/,
    );
    expect(text).toMatch(
      /coursehub_http_requests_total\{method="GET",route="\/hub\/api\/users\/:name",status="404"\} 1\n/,
    );
    expect(text).not.toContain('route="/hub/api/users/alice"');
    expect(text).toMatch(/coursehub_users_total 2\n/);
    expect(text).toMatch(/coursehub_active_sessions [2-9]\n/);
    expect(text).toMatch(/coursehub_logins_total\{result="failure"\} 1\n/);
    expect(text).toContain('coursehub_process_cpu_seconds_total');
  });
});
