// Servers' and users' last_activity from real traffic, with no culler anywhere: a request through
// the real proxy, and kernel activity a real notebook server reports in its own /api/status
// (reached here without the proxy, so only the server can have told it). JupyterHub records both
// the same way (its proxy poll and the singleuser server's activity reports), so an external
// culler reading the REST API sees a server in use as in use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubStores, type HubStores } from '../../../src/db/stores/hub-stores.js';
import { ServerActivity } from '../../../src/hub/servers/activity.js';
import type { ServerManager } from '../../../src/hub/servers/server-manager.js';
import { createServerFixture, type ServerFixture } from './fixture.js';

const ALICE = 'chact_alice';
let fx: ServerFixture;
let manager: ServerManager;
let stores: HubStores;
let activity: ServerActivity;

beforeAll(async () => {
  fx = await createServerFixture([ALICE]);
  manager = fx.makeManager();
  stores = createHubStores(fx.database.db);
  activity = new ServerActivity({
    manager,
    servers: stores.servers,
    users: stores.users,
    routes: fx.proxyClient,
    log: manager['options'].log,
  });
  await (
    await manager.start(ALICE)
  ).ready;
}, 60_000);
afterAll(async () => fx?.dispose());

async function recorded(): Promise<{ server: string; user: string | null }> {
  const row = await stores.servers.get(ALICE, '');
  const user = await stores.users.findByName(ALICE);
  return { server: row!.lastActivity!, user: user!.lastActivity };
}

/** A moment strictly after `iso`, so that "moved to at least now" cannot be met by the old value. */
async function after(iso: string): Promise<string> {
  while (new Date().toISOString() <= iso) await new Promise((r) => setTimeout(r, 5));
  return new Date().toISOString();
}

describe('recorded activity (no culler)', () => {
  it('a request through the proxy moves the server and its user forward', async () => {
    const before = await recorded();
    const sent = await after(before.server);
    const res = await fetch(`${fx.proxy.publicUrl}/user/${ALICE}/api/status`, {
      headers: { authorization: `token ${fx.ownerTokens[ALICE]}` },
    });
    expect(res.status).toBe(200);
    await activity.poll();
    const now = await recorded();
    expect(now.server >= sent).toBe(true);
    expect(now.user !== null && now.user >= sent).toBe(true);
  });

  it('kernel activity the server reports in /api/status counts, though the proxy saw nothing', async () => {
    const before = await recorded();
    const routesBefore = await fx.proxyClient.getRoutes();
    const current = manager.readyServers()[0]!.spawner.current()!;
    const started = await after(before.server);
    // Straight to the server with its own token, as nothing but the server itself would.
    const kernel = await fetch(new URL('api/kernels', current.url), {
      method: 'POST',
      headers: { authorization: `token ${current.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(kernel.status).toBe(201);
    // The proxy's route did not move.
    expect((await fx.proxyClient.getRoutes())[`/user/${ALICE}`]?.last_activity).toBe(
      routesBefore[`/user/${ALICE}`]?.last_activity,
    );
    await activity.poll();
    const now = await recorded();
    expect(now.server >= started).toBe(true);
    expect(now.user !== null && now.user >= started).toBe(true);
  });

  it('a later poll with nothing new leaves the times as they were (never backwards)', async () => {
    const before = await recorded();
    await activity.poll();
    expect(await recorded()).toEqual(before);
  });
});
