// The server routes of the REST API on a real hub with the real proxy and real notebook servers:
// who may start/stop/watch, JupyterHub's status codes and models, the progress event stream, and
// what a server's own JUPYTERHUB_API_TOKEN may (not) do.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPids } from '../../../src/sandbox/cgroup.js';
import { startTestHub, type TestHub } from './hub-fixture.js';

const ALICE = 'chapi_alice';
const BOB = 'chapi_bob';
const ADMIN = 'chapi_admin';
let hub: TestHub;

async function api(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${hub.hubUrl}/hub/api${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers,
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function asSession(name: string): Promise<Record<string, string>> {
  const s = await hub.session(name);
  return { cookie: s.cookie, 'x-xsrf-token': s.csrf };
}

beforeAll(async () => {
  hub = await startTestHub({ users: [ALICE, BOB], admins: [ADMIN] });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('server API', () => {
  it('refuses anonymous callers and other users (403), before anything starts', async () => {
    expect((await api(`/users/${ALICE}/server`, { method: 'POST' })).status).toBe(403);
    const bob = await asSession(BOB);
    const started = await api(`/users/${ALICE}/server`, { method: 'POST', headers: bob });
    expect(started.status).toBe(403);
    expect(String(started.body.message)).toMatch(/servers/);
    expect((await api(`/users/${ALICE}/server`, { method: 'DELETE', headers: bob })).status).toBe(403);
    expect((await api(`/users/${ALICE}/server/progress`, { headers: bob })).status).toBe(403);
    expect(hub.services.servers.status(ALICE)).toBeUndefined();
  });

  it('a user starts their own server (201), sees it in their model, and follows progress as events', async () => {
    const alice = await asSession(ALICE);
    const started = await api(`/users/${ALICE}/server`, { method: 'POST', headers: alice });
    expect(started.status).toBe(201);
    const model = await api(`/users/${ALICE}`, { headers: alice });
    expect(model.body.server).toBe(`/user/${ALICE}/`);
    expect(model.body.pending).toBeNull();
    expect((model.body.servers as Record<string, Record<string, unknown>>)['']).toMatchObject({
      ready: true,
      url: `/user/${ALICE}/`,
    });

    const progress = await fetch(`${hub.hubUrl}/hub/api/users/${ALICE}/server/progress`, { headers: alice });
    expect(progress.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await progress.text())
      .split('\n\n')
      .filter((chunk) => chunk.startsWith('data: '))
      .map((chunk) => JSON.parse(chunk.slice(6)) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true, url: `/user/${ALICE}/` });

    expect((await api(`/users/${ALICE}/server`, { method: 'POST', headers: alice })).status).toBe(400);
  });

  it('the proxy lets alice (session cookie) into her server and keeps bob out', async () => {
    const alice = await hub.session(ALICE);
    const bob = await hub.session(BOB);
    const url = `${hub.proxy.publicUrl}/user/${ALICE}/api/status`;
    expect((await fetch(url, { headers: { cookie: alice.cookie } })).status).toBe(200);
    expect((await fetch(url, { headers: { cookie: bob.cookie }, redirect: 'manual' })).status).toBe(403);
  });

  it("the server's JUPYTERHUB_API_TOKEN can do nothing beyond its own narrow scope", async () => {
    const state = hub.services.servers
      .readyServers()
      .find((s) => s.userName === ALICE)!
      .spawner.getState();
    let serverToken: string | undefined;
    for (const pid of await cgroupPids(state.cgroupDirs as string[])) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      serverToken ??= environ.find((kv) => kv.startsWith('JUPYTERHUB_API_TOKEN='))?.split('=')[1];
    }
    expect(serverToken).toMatch(/\S{20,}/);
    const auth = { authorization: `token ${serverToken}` };
    // It identifies its owner: what read:users:name (kind, name, admin) and read:users:activity
    // (last_activity, implied by users:activity) show in JupyterHub 5's model, nothing more.
    const me = await api(`/users/${ALICE}`, { headers: auth });
    expect(me.status).toBe(200);
    expect(Object.keys(me.body).sort()).toEqual(['admin', 'kind', 'last_activity', 'name']);
    // Nothing else: other users, the user list, servers, tokens, users, the proxy, admin actions.
    expect((await api(`/users/${BOB}`, { headers: auth })).status).toBe(403);
    expect((await api('/users', { headers: auth })).status).toBe(403);
    expect((await api(`/users/${ALICE}/server`, { method: 'DELETE', headers: auth })).status).toBe(403);
    expect((await api(`/users/${BOB}/server`, { method: 'POST', headers: auth })).status).toBe(403);
    expect((await api(`/users/${ALICE}/tokens`, { headers: auth })).status).toBe(403);
    expect((await api(`/users/${ALICE}/tokens`, { method: 'POST', headers: auth })).status).toBe(403);
    expect((await api(`/users/${BOB}`, { method: 'DELETE', headers: auth })).status).toBe(403);
    expect((await api('/proxy', { headers: auth })).status).toBe(403);
    expect(hub.services.servers.status(ALICE)).toEqual({ pending: null, ready: true });
    // Through the proxy it opens its own server (access:servers on alice) and nobody else's. Bob's
    // server runs, so a refusal here is the proxy's decision, not a missing route.
    const admin = await asSession(ADMIN);
    expect((await api(`/users/${BOB}/server`, { method: 'POST', headers: admin })).status).toBe(201);
    try {
      expect(
        (await fetch(`${hub.proxy.publicUrl}/user/${BOB}/api/status`, { headers: await asSession(BOB) }))
          .status,
      ).toBe(200);
      expect((await fetch(`${hub.proxy.publicUrl}/user/${ALICE}/api/status`, { headers: auth })).status).toBe(
        200,
      );
      const bobs = await fetch(`${hub.proxy.publicUrl}/user/${BOB}/api/status`, {
        headers: auth,
        redirect: 'manual',
      });
      expect(bobs.status).toBe(403);
      expect(await bobs.json()).toEqual({
        status: 403,
        message: `This is ${BOB}'s server; you are logged in as ${ALICE}.`,
      });
    } finally {
      expect((await api(`/users/${BOB}/server`, { method: 'DELETE', headers: admin })).status).toBe(204);
    }
  });

  it("a revoked API token stops opening the owner's server through the proxy at once", async () => {
    const alice = await asSession(ALICE);
    const created = await fetch(`${hub.hubUrl}/hub/api/users/${ALICE}/tokens`, {
      method: 'POST',
      headers: { ...alice, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'revoke through the proxy' }),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    const status = `${hub.proxy.publicUrl}/user/${ALICE}/api/status`;
    const withToken = { headers: { authorization: `token ${token}` }, redirect: 'manual' as const };
    // The proxy has now cached this login...
    expect((await fetch(status, withToken)).status).toBe(200);
    expect((await api(`/users/${ALICE}/tokens/${id}`, { method: 'DELETE', headers: alice })).status).toBe(
      204,
    );
    // ...and forgets it with the revocation, well inside its cache lifetime: the token is no
    // login any more, so a GET is sent to the login page.
    const refused = await fetch(status, withToken);
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe(
      `/hub/login?next=${encodeURIComponent(`/user/${ALICE}/api/status`)}`,
    );
  });

  it("an admin starts and stops another user's server; the owner stops their own (204)", async () => {
    const admin = await asSession(ADMIN);
    expect((await api(`/users/${BOB}/server`, { method: 'POST', headers: admin })).status).toBe(201);
    expect((await api(`/users/${BOB}/server`, { method: 'DELETE', headers: admin })).status).toBe(204);

    const alice = await asSession(ALICE);
    expect((await api(`/users/${ALICE}/server`, { method: 'DELETE', headers: alice })).status).toBe(204);
    const model = await api(`/users/${ALICE}`, { headers: alice });
    expect(model.body).toMatchObject({ server: null, pending: null, servers: {} });
    expect((await api(`/users/${ALICE}/server/progress`, { headers: alice })).status).toBe(400);
    // Stopping a stopped server is not an error (JupyterHub answers 204 too).
    expect((await api(`/users/${ALICE}/server`, { method: 'DELETE', headers: alice })).status).toBe(204);
  });

  it('a cookie request without the CSRF token cannot start a server', async () => {
    const s = await hub.session(ALICE);
    const refused = await api(`/users/${ALICE}/server`, { method: 'POST', headers: { cookie: s.cookie } });
    expect(refused.status).toBe(403);
    expect(hub.services.servers.status(ALICE)).toBeUndefined();
  });

  it('named servers are refused with a clear message', async () => {
    const named = await api(`/users/${ALICE}/servers/gpu`, {
      method: 'POST',
      headers: await asSession(ALICE),
    });
    expect(named.status).toBe(400);
    expect(String(named.body.message)).toMatch(/Named servers are not enabled/);
  });
});
