// Who may open which server through the real proxy (JupyterHub 2+'s access:servers), attacked
// from every side on a hub with the default settings: another user, an admin without
// proxy.adminAccess, and tokens narrowed to one server. The named server's route is added to the
// proxy by hand, pointing at alice's real default server, so that the proxy's decision is tested
// by itself: a refusal is 403, a request let through reaches Jupyter (which answers 404 for a
// path outside its base URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../servers/hub-fixture.js';

const ALICE = 'chaccess_alice';
const BOB = 'chaccess_bob';
const ADMIN = 'chaccess_admin';
// A service holding access:servers, as JupyterHub's examples/server-api gives its `launcher`.
const LAUNCHER_TOKEN = 'launcher-token-0123456789abcdef';
const NARROW_TOKEN = 'narrow-token-0123456789abcdef01';

let hub: TestHub;

async function status(path: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${hub.proxy.publicUrl}${path}`, { headers, redirect: 'manual' });
  await response.arrayBuffer();
  return response.status;
}

const token = (value: string) => ({ authorization: `token ${value}` });

beforeAll(async () => {
  hub = await startTestHub({
    users: [ALICE, BOB],
    admins: [ADMIN],
    services: [
      { name: 'launcher', apiToken: LAUNCHER_TOKEN, scopes: ['servers', 'access:servers'] },
      { name: 'narrow', apiToken: NARROW_TOKEN, scopes: [`access:servers!server=${BOB}/`] },
    ],
  });
  await (
    await hub.services.servers.start(ALICE)
  ).ready;
  const target = hub.services.servers.readyServers()[0]!.spawner.current()!.url;
  hub.proxy.routes.add(`/user/${ALICE}/one`, new URL(target).origin, { user: ALICE, server_name: 'one' });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('access:servers through the proxy', () => {
  it('alice opens her servers; bob opens neither, by cookie or by token', async () => {
    const alice = await hub.session(ALICE);
    const bob = await hub.session(BOB);
    expect(await status(`/user/${ALICE}/api/status`, { cookie: alice.cookie })).toBe(200);
    expect(await status(`/user/${ALICE}/one/api/status`, { cookie: alice.cookie })).toBe(404);
    for (const path of [`/user/${ALICE}/api/status`, `/user/${ALICE}/one/api/status`]) {
      expect(await status(path, { cookie: bob.cookie })).toBe(403);
      expect(await status(path, token(await hub.token(BOB)))).toBe(403);
    }
  });

  it("an admin without proxy.adminAccess opens no one else's server, however the token is narrowed", async () => {
    const admin = await hub.session(ADMIN);
    const narrowed = await hub.token(ADMIN, [`access:servers!user=${ALICE}`]);
    for (const path of [`/user/${ALICE}/api/status`, `/user/${ALICE}/one/api/status`]) {
      expect(await status(path, { cookie: admin.cookie })).toBe(403);
      expect(await status(path, token(await hub.token(ADMIN)))).toBe(403);
      expect(await status(path, token(narrowed))).toBe(403);
    }
  });

  it("a token for alice's default server does not open her server 'one'", async () => {
    const defaultOnly = await hub.token(ALICE, [`access:servers!server=${ALICE}/`]);
    expect(await status(`/user/${ALICE}/api/status`, token(defaultOnly))).toBe(200);
    expect(await status(`/user/${ALICE}/one/api/status`, token(defaultOnly))).toBe(403);
  });

  it("a service's token opens the servers its access:servers scope names, and no others", async () => {
    // JupyterHub's examples/server-api: a service with `access:servers` calls a user's server.
    expect(await status(`/user/${ALICE}/api/status`, token(LAUNCHER_TOKEN))).toBe(200);
    expect(await status(`/user/${ALICE}/one/api/status`, token(LAUNCHER_TOKEN))).toBe(404);
    expect(await status(`/user/${ALICE}/api/status`, token(NARROW_TOKEN))).toBe(403);
  });

  it("a token for alice's server 'one' does not open her default server", async () => {
    const oneOnly = await hub.token(ALICE, [`access:servers!server=${ALICE}/one`]);
    expect(await status(`/user/${ALICE}/one/api/status`, token(oneOnly))).toBe(404);
    expect(await status(`/user/${ALICE}/api/status`, token(oneOnly))).toBe(403);
  });
});

describe('access:servers with proxy.adminAccess', () => {
  let withAccess: TestHub;
  const at = async (path: string, headers: Record<string, string>) => {
    const response = await fetch(`${withAccess.proxy.publicUrl}${path}`, { headers, redirect: 'manual' });
    await response.arrayBuffer();
    return response.status;
  };

  beforeAll(async () => {
    withAccess = await startTestHub({
      users: [`${ALICE}2`],
      admins: [`${ADMIN}2`],
      proxy: { adminAccess: true },
    });
    const owner = `${ALICE}2`;
    await (
      await withAccess.services.servers.start(owner)
    ).ready;
    const target = withAccess.services.servers.readyServers()[0]!.spawner.current()!.url;
    withAccess.proxy.routes.add(`/user/${owner}/one`, new URL(target).origin, {
      user: owner,
      server_name: 'one',
    });
  });

  afterAll(async () => {
    await withAccess?.dispose();
  });

  it("an admin opens alice's servers; a token of theirs narrowed to her default server opens only that one", async () => {
    const owner = `${ALICE}2`;
    const admin = await withAccess.session(`${ADMIN}2`);
    expect(await at(`/user/${owner}/api/status`, { cookie: admin.cookie })).toBe(200);
    expect(await at(`/user/${owner}/one/api/status`, { cookie: admin.cookie })).toBe(404);
    const defaultOnly = await withAccess.token(`${ADMIN}2`, [`access:servers!server=${owner}/`]);
    expect(await at(`/user/${owner}/api/status`, token(defaultOnly))).toBe(200);
    expect(await at(`/user/${owner}/one/api/status`, token(defaultOnly))).toBe(403);
  });
});
