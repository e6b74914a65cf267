// JupyterHub's services on a real hub with its real proxy: a managed service (a tiny Python
// http.server written here, ./echo_service.py) is started by the hub with JupyterHub's
// environment, reached at its prefix through the proxy, calls /hub/api/user with its own token,
// is started again when it dies and stopped with the hub. /hub/api/services answers JupyterHub's
// Service model (rest-api.yml, components.schemas.Service) with the scopes it documents.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../../support/hub.js';
import { freePort } from '../../support/postgres.js';

const SCRIPT = fileURLToPath(new URL('./echo_service.py', import.meta.url));
const STATIC_TOKEN = 'static-service-token-0123456789abcdef';

let hub: RealHub;
let servicePort: number;
let adminToken: string;
let studentToken: string;

beforeAll(async () => {
  servicePort = await freePort();
  hub = await startRealHub({
    demo: true,
    config: {
      auth: { authenticator: 'dummy' },
      services: [
        {
          name: 'echo',
          url: `http://127.0.0.1:${servicePort}`,
          command: ['/usr/bin/python3', SCRIPT],
          scopes: ['list:users'],
        },
        {
          name: 'static',
          apiToken: STATIC_TOKEN,
          scopes: ['read:services'],
          info: { what: 'reads services' },
        },
      ],
    },
  });
  adminToken = (await hub.hub.services.tokens.create({ user: 'instructor' })).token;
  studentToken = (await hub.hub.services.tokens.create({ user: 'student1' })).token;
}, 60_000);

afterAll(async () => hub?.stop());

const get = (path: string, init: RequestInit = {}) =>
  fetch(new URL(path, hub.url), { redirect: 'manual', ...init });
const withToken = (token: string) => ({ headers: { authorization: `token ${token}` } });

interface EchoAnswer {
  path: string;
  pid: number;
  cookie: string | null;
  env: Record<string, string | null>;
  has_api_token: boolean;
}

/** The service's answer through the proxy, once it answers with a pid other than `notPid`. */
async function echoThroughProxy(notPid = 0, init: RequestInit = {}): Promise<EchoAnswer> {
  for (;;) {
    const res = await get('services/echo/', init).catch(() => undefined);
    if (res?.status === 200) {
      const body = (await res.json()) as EchoAnswer;
      if (body.pid !== notPid) return body;
    } else await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a managed service', () => {
  it('is started with JupyterHub environment and reached at its prefix through the proxy', async () => {
    const answer = await echoThroughProxy();
    expect(answer.path).toBe('/services/echo/');
    expect(answer.has_api_token).toBe(true);
    expect(answer.env).toEqual({
      JUPYTERHUB_SERVICE_NAME: 'echo',
      JUPYTERHUB_API_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hub\/api$/),
      JUPYTERHUB_CLIENT_ID: 'service-echo',
      JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/echo/oauth_callback',
      JUPYTERHUB_SERVICE_PREFIX: '/services/echo/',
      JUPYTERHUB_SERVICE_URL: `http://127.0.0.1:${servicePort}`,
      JUPYTERHUB_OAUTH_ACCESS_SCOPES: JSON.stringify(['access:services!service=echo']),
    });
  }, 30_000);

  it('never receives the hub login cookie, only the others', async () => {
    const answer = await echoThroughProxy(0, { headers: { cookie: 'coursehub-session=abc; theirs=1' } });
    expect(answer.cookie).toBe('theirs=1');
  }, 30_000);

  it("calls /hub/api/user with its token and is told it is a service (kind 'service')", async () => {
    await echoThroughProxy();
    const res = await get('services/echo/whoami');
    expect(res.status).toBe(200);
    const me = (await res.json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      kind: 'service',
      name: 'echo',
      admin: false,
      session_id: null,
      token_id: null,
    });
    expect(me.scopes).toEqual(expect.arrayContaining(['list:users', 'read:users:name']));
    expect(me.scopes).not.toContain('admin:users');
  }, 30_000);

  it('is started again when it dies', async () => {
    const before = await echoThroughProxy();
    process.kill(before.pid, 'SIGKILL');
    const after = await echoThroughProxy(before.pid);
    expect(after.pid).not.toBe(before.pid);
    expect(after.path).toBe('/services/echo/');
  }, 30_000);
});

describe('/hub/api/services', () => {
  it("lists every service with JupyterHub's Service model for an admin", async () => {
    const { pid } = await echoThroughProxy();
    const res = await get('hub/api/services', withToken(adminToken));
    expect(res.status).toBe(200);
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list.map((s) => s.name).sort()).toEqual(['echo', 'static']);
    const echo = list.find((s) => s.name === 'echo')!;
    expect(echo).toEqual({
      kind: 'service',
      name: 'echo',
      admin: false,
      roles: [],
      url: `http://127.0.0.1:${servicePort}`,
      prefix: '/services/echo/',
      command: ['/usr/bin/python3', SCRIPT],
      pid,
      info: {},
      display: true,
    });
    const one = await get('hub/api/services/static', withToken(adminToken));
    expect(await one.json()).toMatchObject({
      kind: 'service',
      name: 'static',
      pid: 0,
      info: { what: 'reads services' },
    });
  }, 30_000);

  it('needs a services scope: a student gets 403, an unknown service 404', async () => {
    expect((await get('hub/api/services', withToken(studentToken))).status).toBe(403);
    expect((await get('hub/api/services/echo', withToken(studentToken))).status).toBe(403);
    expect((await get('hub/api/services/nope', withToken(adminToken))).status).toBe(404);
  });

  it("answers a service's own token (read:services), and whoami says kind service", async () => {
    const res = await get('hub/api/services', withToken(STATIC_TOKEN));
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(2);
    const me = (await (await get('hub/api/user', withToken(STATIC_TOKEN))).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ kind: 'service', name: 'static' });
    // A service token is not a user's: the users' API does not take it for one.
    expect((await get('hub/api/users/student1', withToken(STATIC_TOKEN))).status).toBe(403);
  });
});

describe('stopping the hub', () => {
  it('stops its managed services', async () => {
    const { pid } = await echoThroughProxy();
    await hub.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});
