// The REST API inside the hub `coursehub start` runs (every area registered, in build-hub's
// order), over real HTTP on loopback: a student logs in through the login form and uses the API
// with the session cookie; tokens made by the token service work as `token` and `bearer`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../../support/hub.js';

let hub: RealHub;
let adminToken: string;
let studentToken: string;

beforeAll(async () => {
  hub = await startRealHub({ config: { auth: { authenticator: 'dummy' } }, demo: true });
  const { tokens } = hub.hub.services;
  adminToken = (await tokens.create({ user: 'instructor' })).token;
  studentToken = (await tokens.create({ user: 'student1' })).token;
});
afterAll(async () => hub?.stop());

const api = (path: string, init: RequestInit = {}) =>
  fetch(new URL(path, hub.url), { redirect: 'manual', ...init });

/** Logs in through the real form (dummy authenticator) and returns the Cookie header. */
async function loginCookie(name: string): Promise<string> {
  const form = await api('hub/login');
  const loginCookies = form.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await api('hub/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookies.join('; ') },
    body: new URLSearchParams({
      _xsrf: xsrf,
      username: name,
      password: 'anything',
      next: '/hub/home',
    }).toString(),
  });
  expect(res.status).toBe(302);
  const session = res.headers.getSetCookie().find((c) => c.startsWith('coursehub-session='));
  expect(session).toBeDefined();
  return session!.split(';')[0]!;
}

/** Every route of the running app, from Fastify's route tree (`printRoutes`, 4 columns a level). */
function registeredRoutes(): { method: string; url: string }[] {
  const text = hub.hub.app.printRoutes({ commonPrefix: false });
  const stack = [''];
  const routes: { method: string; url: string }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([│├└─ ]*)(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const url = stack[depth - 1]! + match[2];
    stack[depth] = url;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean))
      if (method !== 'HEAD') routes.push({ method, url });
  }
  return routes;
}

/** `/a/:x/b/` and `/a/{y}/b` → `/a/{}/b`: parameter names may differ, places may not. */
function shape(path: string): string {
  return (
    path
      .replace(/:\w+|\{\w+\}/g, '{}')
      // An empty server name is the documented {server_name}: JupyterHub's `/servers/` and
      // `/servers//progress` are the default server.
      .replace(/\/servers\/(\/|$)/, '/servers/{}$1')
      .replace(/\/$/, '')
  );
}

describe('REST API in the running hub', () => {
  it('documents every /hub/api route of the whole hub (all areas) in openapi.json', async () => {
    const doc = (await (await api('hub/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const apiRoutes = registeredRoutes().filter((r) => r.url.startsWith('/hub/api'));
    expect(apiRoutes.length).toBeGreaterThan(15);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${shape(path)}`),
      ),
    );
    const undocumented = apiRoutes.filter((r) => !documented.has(`${r.method} ${shape(r.url)}`));
    expect(undocumented).toEqual([]);
  });

  it('no documented route gives anything to an anonymous caller or to a student about another user', async () => {
    const doc = (await (await api('hub/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const open = new Set(['GET /hub/api', 'GET /hub/api/openapi.json']);
    for (const [path, methods] of Object.entries(doc.paths)) {
      const url = path
        .replace('{name}', 'student2')
        .replace('{id}', 'a1')
        .replace('{server_name}', 'x')
        .replace('{course}', 'course101')
        .replace('{user}', 'student2')
        .replace('{assignment}', 'ps1')
        .slice(1);
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        // The OAuth2 endpoints answer in OAuth2's shapes (a login redirect, {error}), not the
        // API's: test/hub/oauth/oauth-flow.test.ts refuses anonymous and wrong callers there.
        if (open.has(`${method} ${path}`) || path.startsWith('/hub/api/oauth2/')) continue;
        const init = {
          method,
          headers: { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        };
        // Exactly 403 in JupyterHub's JSON shape: a 500 or a 404 is not a refusal.
        const anonymous = await api(url, init);
        expect(anonymous.status, `${method} ${path} as anonymous`).toBe(403);
        expect(await anonymous.json()).toMatchObject({ status: 403 });
        const student = await api(url, {
          ...init,
          headers: { ...init.headers, authorization: `token ${studentToken}` },
        });
        // (GET /hub/api/user is the student's own model and GET /hub/api/courses their own
        // courses: the routes they may read)
        const own = path === '/hub/api/user' || (path === '/hub/api/courses' && method === 'GET');
        expect(student.status, `${method} ${path} as student1`).toBe(own ? 200 : 403);
      }
    }
  });

  it('lists the demo users for the instructor and refuses the student', async () => {
    const res = await api('hub/api/users', { headers: { authorization: `token ${adminToken}` } });
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { name: string }[]).map((u) => u.name);
    expect(names).toEqual(expect.arrayContaining(['instructor', 'student1', 'student2', 'student3']));
    const refused = await api('hub/api/users', { headers: { authorization: `bearer ${studentToken}` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ status: 403 });
  });

  it('a session from the login form identifies the student to the API', async () => {
    const cookie = await loginCookie('student1');
    const me = await api('hub/api/user', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ kind: 'user', name: 'student1', admin: false });
    const other = await api('hub/api/users/student2', { headers: { cookie } });
    expect(other.status).toBe(403);
    // the session is not enough to change anything without the CSRF token
    const post = await api('hub/api/users/student1/tokens', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(403);
  });

  it('serves metrics to the instructor and health to anyone', async () => {
    expect((await api('hub/metrics')).status).toBe(403);
    const metrics = await api('hub/metrics', { headers: { authorization: `token ${adminToken}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/coursehub_users_total 4\n/);
    expect((await api('hub/health')).status).toBe(200);
  });
});
