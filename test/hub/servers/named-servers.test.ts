// Named servers (JupyterHub's allow_named_servers, named_server_limit_per_user) and who may open
// which server through the proxy (access:servers), on a real hub with the real proxy and real
// notebook servers. Expected codes and messages are those of JupyterHub 5's REST API document
// (docs/source/_static/rest-api.yml) and its UserServerAPIHandler.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPids } from '../../../src/sandbox/cgroup.js';
import { startTestHub, type TestHub } from './hub-fixture.js';

const ALICE = 'chnamed_alice';
const BOB = 'chnamed_bob';
const ADMIN = 'chnamed_admin';

type Answer = { status: number; body: Record<string, unknown> };

async function call(
  hub: TestHub,
  path: string,
  init: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<Answer> {
  const headers = {
    ...init.headers,
    ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const response = await fetch(`${hub.hubUrl}/hub/api${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function sessionHeaders(hub: TestHub, name: string): Promise<Record<string, string>> {
  const s = await hub.session(name);
  return { cookie: s.cookie, 'x-xsrf-token': s.csrf };
}

/** GET through the proxy; redirects are not followed, so a refusal shows as it is. */
async function throughProxy(hub: TestHub, path: string, headers: Record<string, string>): Promise<number> {
  return (await fetch(`${hub.proxy.publicUrl}${path}`, { headers, redirect: 'manual' })).status;
}

/** The hub's answer to the proxy's question "may this token open OWNER's server SERVER?". */
async function authorize(hub: TestHub, token: string, query: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${hub.hubUrl}/hub/api/proxy/authorize?${query}`, {
    headers: { 'x-coursehub-proxy-secret': hub.proxySecret, 'x-coursehub-api-token': token },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** JUPYTERHUB_API_TOKEN of a running server, read from its processes' environment. */
async function serverApiToken(hub: TestHub, user: string, server: string): Promise<string> {
  const live = hub.services.servers
    .readyServers()
    .find((s) => s.userName === user && s.serverName === server);
  const state = live!.spawner.getState();
  for (const pid of await cgroupPids(state.cgroupDirs as string[])) {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const token = environ.find((kv) => kv.startsWith('JUPYTERHUB_API_TOKEN='))?.split('=')[1];
    if (token) return token;
  }
  throw new Error(`no JUPYTERHUB_API_TOKEN in ${user}/${server}'s processes`);
}

describe('named servers when they are off (the default)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE] });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('answers 400 "Named servers are not enabled." to start and stop, as JupyterHub', async () => {
    const alice = await sessionHeaders(hub, ALICE);
    for (const method of ['POST', 'DELETE']) {
      const answer = await call(hub, `/users/${ALICE}/servers/one`, { method, headers: alice });
      expect(answer).toEqual({
        status: 400,
        body: { status: 400, message: 'Named servers are not enabled.' },
      });
    }
    expect(hub.services.servers.status(ALICE, 'one')).toBeUndefined();
  });
});

describe('named servers (spawner.allowNamedServers, namedServerLimitPerUser 1)', () => {
  let hub: TestHub;
  let alice: Record<string, string>;

  beforeAll(async () => {
    hub = await startTestHub({
      users: [ALICE, BOB],
      admins: [ADMIN],
      spawner: { allowNamedServers: true, namedServerLimitPerUser: 1 },
    });
    alice = await sessionHeaders(hub, ALICE);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('POST /users/{name}/servers/{server_name} starts a named server (201) listed under `servers`', async () => {
    const started = await call(hub, `/users/${ALICE}/servers/one`, { method: 'POST', headers: alice });
    expect(started.status).toBe(201);
    const model = await call(hub, `/users/${ALICE}`, { headers: alice });
    // The named server is not the default one: `server` stays null.
    expect(model.body.server).toBeNull();
    const servers = model.body.servers as Record<string, Record<string, unknown>>;
    expect(Object.keys(servers)).toEqual(['one']);
    expect(servers.one).toMatchObject({
      name: 'one',
      ready: true,
      pending: null,
      url: `/user/${ALICE}/one/`,
      progress_url: `/hub/api/users/${ALICE}/servers/one/progress`,
    });
    // The same start again: JupyterHub's 400 "... is already running".
    const again = await call(hub, `/users/${ALICE}/servers/one`, { method: 'POST', headers: alice });
    expect(again.status).toBe(400);
  });

  it('its progress is an event stream that ends with the ready event and its URL', async () => {
    const response = await fetch(`${hub.hubUrl}/hub/api/users/${ALICE}/servers/one/progress`, {
      headers: alice,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text())
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('data: '))
      .map((chunk) => JSON.parse(chunk.slice(6)) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true, url: `/user/${ALICE}/one/` });
    // A named server the user does not have: 404, as JupyterHub.
    expect((await call(hub, `/users/${ALICE}/servers/nosuch/progress`, { headers: alice })).status).toBe(404);
  });

  it('/user/{name}/{server_name}/ reaches the named server through the proxy, for its owner only', async () => {
    expect(await throughProxy(hub, `/user/${ALICE}/one/api/status`, { cookie: alice.cookie! })).toBe(200);
    const bob = await hub.session(BOB);
    expect(await throughProxy(hub, `/user/${ALICE}/one/api/status`, { cookie: bob.cookie })).toBe(403);
    expect(
      await throughProxy(hub, `/user/${ALICE}/one/api/status`, {
        authorization: `token ${await hub.token(BOB)}`,
      }),
    ).toBe(403);
    // Admins open other users' servers only with proxy.adminAccess (off here).
    const admin = await hub.session(ADMIN);
    expect(await throughProxy(hub, `/user/${ALICE}/one/api/status`, { cookie: admin.cookie })).toBe(403);
    expect(
      await throughProxy(hub, `/user/${ALICE}/one/api/status`, {
        authorization: `token ${await hub.token(ADMIN, ['access:servers!user=' + ALICE])}`,
      }),
    ).toBe(403);
  });

  it("a second named server is over the limit: JupyterHub's 400 and message", async () => {
    const second = await call(hub, `/users/${ALICE}/servers/two`, { method: 'POST', headers: alice });
    expect(second).toEqual({
      status: 400,
      body: {
        status: 400,
        message: `User ${ALICE} already has the maximum of 1 named servers.  One must be deleted before a new server can be created`,
      },
    });
  });

  it('the empty server name is the default server (/servers/), which the limit does not count', async () => {
    const started = await call(hub, `/users/${ALICE}/servers/`, { method: 'POST', headers: alice });
    expect(started.status).toBe(201);
    const model = await call(hub, `/users/${ALICE}`, { headers: alice });
    expect(model.body.server).toBe(`/user/${ALICE}/`);
    expect(Object.keys(model.body.servers as object).sort()).toEqual(['', 'one']);
    // Two processes, two addresses, one home.
    const [mine, named] = ['', 'one'].map((name) =>
      hub.services.servers.readyServers().find((s) => s.userName === ALICE && s.serverName === name)!,
    );
    expect(mine!.spawner.current()!.url).not.toBe(named!.spawner.current()!.url);
    expect(await throughProxy(hub, `/user/${ALICE}/api/status`, { cookie: alice.cookie! })).toBe(200);
    // JupyterHub documents `servers//progress` as the default server's progress stream.
    const progress = await fetch(`${hub.hubUrl}/hub/api/users/${ALICE}/servers//progress`, {
      headers: alice,
    });
    expect(progress.status).toBe(200);
    expect(await progress.text()).toContain(`"url":"/user/${ALICE}/"`);
  });

  it('a token for one server opens that server and no other', async () => {
    const defaultOnly = await hub.token(ALICE, [`access:servers!server=${ALICE}/`]);
    const oneOnly = await hub.token(ALICE, [`access:servers!server=${ALICE}/one`]);
    const allOfAlice = await hub.token(ALICE, [`access:servers!user=${ALICE}`]);
    const open = (path: string, token: string) =>
      throughProxy(hub, path, { authorization: `token ${token}` });
    expect(await open(`/user/${ALICE}/api/status`, defaultOnly)).toBe(200);
    expect(await open(`/user/${ALICE}/one/api/status`, defaultOnly)).toBe(403);
    expect(await open(`/user/${ALICE}/one/api/status`, oneOnly)).toBe(200);
    expect(await open(`/user/${ALICE}/api/status`, oneOnly)).toBe(403);
    expect(await open(`/user/${ALICE}/api/status`, allOfAlice)).toBe(200);
    expect(await open(`/user/${ALICE}/one/api/status`, allOfAlice)).toBe(200);
    // Each server's own JUPYTERHUB_API_TOKEN is JupyterHub's `server` role: its own server only.
    const namedServerToken = await serverApiToken(hub, ALICE, 'one');
    expect(await open(`/user/${ALICE}/one/api/status`, namedServerToken)).toBe(200);
    expect(await open(`/user/${ALICE}/api/status`, namedServerToken)).toBe(403);
  });

  it('the hub tells the proxy per server, and a proxy that names no server gets only all-server grants', async () => {
    const defaultOnly = await hub.token(ALICE, [`access:servers!server=${ALICE}/`]);
    expect(await authorize(hub, defaultOnly, `owner=${ALICE}&server=`)).toMatchObject({ allowed: true });
    expect(await authorize(hub, defaultOnly, `owner=${ALICE}&server=one`)).toMatchObject({ allowed: false });
    expect(await authorize(hub, defaultOnly, `owner=${ALICE}`)).toMatchObject({ allowed: false });
    const allOfAlice = await hub.token(ALICE, [`access:servers!user=${ALICE}`]);
    expect(await authorize(hub, allOfAlice, `owner=${ALICE}`)).toMatchObject({ allowed: true });
  });

  it('stopping a named server keeps it (stopped, still counted) and leaves the other servers and tokens working', async () => {
    const defaultServerToken = await serverApiToken(hub, ALICE, '');
    const stopped = await call(hub, `/users/${ALICE}/servers/one`, { method: 'DELETE', headers: alice });
    expect(stopped.status).toBe(204);
    const model = await call(hub, `/users/${ALICE}`, { headers: alice });
    expect(Object.keys(model.body.servers as object)).toEqual(['']);
    // JupyterHub 3+: `?include_stopped_servers` lists it, as stopped and not ready.
    const withStopped = await call(hub, `/users/${ALICE}?include_stopped_servers`, { headers: alice });
    const listed = withStopped.body.servers as Record<string, Record<string, unknown>>;
    expect(Object.keys(listed).sort()).toEqual(['', 'one']);
    expect(listed.one).toMatchObject({ name: 'one', stopped: true, ready: false, pending: null });
    expect(
      await throughProxy(hub, `/user/${ALICE}/api/status`, { authorization: `token ${defaultServerToken}` }),
    ).toBe(200);
    // Still one of alice's named servers: the limit still holds.
    expect((await call(hub, `/users/${ALICE}/servers/two`, { method: 'POST', headers: alice })).status).toBe(
      400,
    );
    // Not running, not starting: JupyterHub's 400 for its progress.
    expect((await call(hub, `/users/${ALICE}/servers/one/progress`, { headers: alice })).status).toBe(400);
  });

  it('DELETE with {"remove": true} deletes a named server; not the default one, not one that is not there', async () => {
    const nosuch = await call(hub, `/users/${ALICE}/servers/nosuch`, { method: 'DELETE', headers: alice });
    expect(nosuch).toEqual({
      status: 404,
      body: { status: 404, message: `${ALICE} has no server named 'nosuch'` },
    });
    const defaultServer = await call(hub, `/users/${ALICE}/servers/`, {
      method: 'DELETE',
      headers: alice,
      json: { remove: true },
    });
    expect(defaultServer).toEqual({
      status: 400,
      body: { status: 400, message: 'Cannot delete the default server' },
    });
    const removed = await call(hub, `/users/${ALICE}/servers/one`, {
      method: 'DELETE',
      headers: alice,
      json: { remove: true },
    });
    expect(removed.status).toBe(204);
    expect(
      (await call(hub, `/users/${ALICE}/servers/one`, { method: 'DELETE', headers: alice })).status,
    ).toBe(404);
    // Room again under the limit.
    expect((await call(hub, `/users/${ALICE}/servers/two`, { method: 'POST', headers: alice })).status).toBe(
      201,
    );
    expect(
      (
        await call(hub, `/users/${ALICE}/servers/two`, {
          method: 'DELETE',
          headers: alice,
          json: { remove: true },
        })
      ).status,
    ).toBe(204);
  });

  it("bob may not start, stop or watch alice's named servers (403)", async () => {
    const bob = await sessionHeaders(hub, BOB);
    expect((await call(hub, `/users/${ALICE}/servers/x`, { method: 'POST', headers: bob })).status).toBe(403);
    expect((await call(hub, `/users/${ALICE}/servers/x`, { method: 'DELETE', headers: bob })).status).toBe(
      403,
    );
    expect((await call(hub, `/users/${ALICE}/servers/x/progress`, { headers: bob })).status).toBe(403);
    expect(hub.services.servers.status(ALICE, 'x')).toBeUndefined();
  });

  it("the hub's pages refuse bob on alice's named servers, and alice without the page's CSRF token", async () => {
    const bob = await sessionHeaders(hub, BOB);
    const post = async (path: string, headers: Record<string, string>, form = '') =>
      (
        await fetch(`${hub.hubUrl}/hub/${path}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          redirect: 'manual',
        })
      ).status;
    for (const path of [`spawn/${ALICE}/x`, `stop/${ALICE}/x`, `delete-server/${ALICE}/x`])
      expect(await post(path, bob)).toBe(403);
    expect(await post(`named-servers/${ALICE}`, bob, 'server_name=x')).toBe(403);
    expect(await post(`named-servers/${ALICE}`, { cookie: alice.cookie! }, 'server_name=x')).toBe(403);
    expect(hub.services.servers.status(ALICE, 'x')).toBeUndefined();
    expect((await hub.services.servers.records(ALICE)).map((r) => r.name)).not.toContain('x');
  });

  it("refuses names that are not one plain path segment or that are the Jupyter server's own paths", async () => {
    for (const name of ['a.b', 'tree', 'api', '-x']) {
      const answer = await call(hub, `/users/${ALICE}/servers/${name}`, { method: 'POST', headers: alice });
      expect(answer.status).toBe(400);
      expect(String(answer.body.message)).toMatch(/^Invalid server_name/);
    }
  });
});

describe('removing a user with named servers', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE], admins: [ADMIN], spawner: { allowNamedServers: true } });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('stops the running ones, drops their routes and forgets the stopped ones', async () => {
    const alice = await sessionHeaders(hub, ALICE);
    expect(
      (await call(hub, `/users/${ALICE}/servers/running`, { method: 'POST', headers: alice })).status,
    ).toBe(201);
    expect((await call(hub, `/users/${ALICE}/servers/kept`, { method: 'POST', headers: alice })).status).toBe(
      201,
    );
    expect(
      (await call(hub, `/users/${ALICE}/servers/kept`, { method: 'DELETE', headers: alice })).status,
    ).toBe(204);
    expect(hub.proxy.routes.get(`/user/${ALICE}/running`)).toBeDefined();
    const admin = await sessionHeaders(hub, ADMIN);
    expect((await call(hub, `/users/${ALICE}`, { method: 'DELETE', headers: admin })).status).toBe(204);
    expect(hub.proxy.routes.get(`/user/${ALICE}/running`)).toBeUndefined();
    expect(hub.services.servers.status(ALICE, 'running')).toBeUndefined();
    expect(await hub.services.servers.records(ALICE)).toEqual([]);
  });
});

describe('access:servers for admins with proxy.adminAccess', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      users: [ALICE],
      admins: [ADMIN],
      spawner: { allowNamedServers: true },
      proxy: { adminAccess: true },
    });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it("an admin's token opens alice's servers, and one narrowed to one server only that one", async () => {
    const everyServer = await hub.token(ADMIN);
    expect(await authorize(hub, everyServer, `owner=${ALICE}&server=one`)).toMatchObject({ allowed: true });
    const narrowed = await hub.token(ADMIN, [`access:servers!server=${ALICE}/one`]);
    expect(await authorize(hub, narrowed, `owner=${ALICE}&server=one`)).toMatchObject({ allowed: true });
    expect(await authorize(hub, narrowed, `owner=${ALICE}&server=`)).toMatchObject({ allowed: false });
    const aliceToken = await hub.token(ALICE);
    expect(await authorize(hub, aliceToken, `owner=${ADMIN}&server=`)).toMatchObject({ allowed: false });
  });
});
