// The server life cycle against real jupyter-notebook servers, the real proxy and a real
// database: start to ready with progress, limits, crashes, a hub restart, failed starts, culling.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerRequestError, ServerStartError } from '../../../src/hub/servers/errors.js';
import { isSameProcessAlive } from '../../../src/sandbox/process-tree.js';
import { cullIdleServers } from '../../../src/hub/servers/idle-culler.js';
import { ServerActivity } from '../../../src/hub/servers/activity.js';
import { createHubStores } from '../../../src/db/stores/hub-stores.js';
import type { ServerManager } from '../../../src/hub/servers/server-manager.js';
import { serverFieldsOf } from '../../../src/hub/servers/server-model.js';
import { createServerFixture, type ServerFixture } from './fixture.js';

const ALICE = 'chsm_alice';
const BOB = 'chsm_bob';
let fx: ServerFixture;
let manager: ServerManager;

async function serverTokens(user: string): Promise<number> {
  const rows = await fx.database.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select('api_tokens.id')
    .where('users.name', '=', user)
    .where('api_tokens.kind', '=', 'server')
    .execute();
  return rows.length;
}

function throughProxy(user: string, path: string, token = fx.ownerTokens[user]!): Promise<Response> {
  return fetch(`${fx.proxy.publicUrl}/user/${user}/${path}`, {
    headers: { authorization: `token ${token}` },
    redirect: 'manual',
  });
}

beforeAll(async () => {
  fx = await createServerFixture([ALICE, BOB]);
  manager = fx.makeManager();
});

afterAll(async () => {
  await fx?.dispose();
});

describe('ServerManager', () => {
  it('starts a server: progress events, a database row, a proxy route that works, a server token', async () => {
    const ticket = await manager.start(ALICE);
    await ticket.ready;
    const events = ticket.progress.history();
    expect(events[0]).toMatchObject({ progress: 0 });
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true, url: `/user/${ALICE}/` });
    const percents = events.map((e) => e.progress);
    expect([...percents].sort((a, b) => a - b)).toEqual(percents);

    const fields = await serverFieldsOf(manager, ALICE);
    expect(fields.server).toBe(`/user/${ALICE}/`);
    expect(fields.pending).toBeNull();
    expect(fields.servers['']).toMatchObject({
      ready: true,
      url: `/user/${ALICE}/`,
      progress_url: `/hub/api/users/${ALICE}/server/progress`,
    });
    expect(fields.servers['']!.started).toMatch(/^\d{4}-/);

    const routes = await fx.proxyClient.getRoutes();
    expect(routes[`/user/${ALICE}`]?.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The owner's token passes the proxy, which adds the server's own token on the way in.
    const status = await throughProxy(ALICE, 'api/status');
    expect(status.status).toBe(200);
    expect(await serverTokens(ALICE)).toBe(1);
  });

  it('refuses to start a server that runs already (400)', async () => {
    const error = await manager.start(ALICE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRequestError);
    expect((error as ServerRequestError).status).toBe(400);
  });

  it('enforces the active-server and concurrent-spawn limits with 429', async () => {
    const limited = fx.makeManager({ activeServerLimit: 1 });
    await (
      await limited.start(BOB)
    ).ready;
    const error = await limited.start(ALICE).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429 });
    expect((error as Error).message).toMatch(/as many servers as it may/);
    await (
      await limited.stop(BOB)
    ).done;

    const oneAtATime = fx.makeManager({ concurrentSpawnLimit: 1 });
    const first = await oneAtATime.start(BOB);
    const second = await oneAtATime.start(ALICE).catch((e: unknown) => e);
    expect(second).toMatchObject({ status: 429 });
    await first.ready;
    await (
      await oneAtATime.stop(BOB)
    ).done;
    expect(await fx.database.db.selectFrom('servers').selectAll().execute()).toHaveLength(1); // alice's
  });

  it('a restarted hub re-attaches to a running server and can stop it', async () => {
    const restarted = fx.makeManager();
    const { kept, dropped } = await restarted.reattach();
    expect(kept).toEqual([`${ALICE}/`]);
    expect(dropped).toEqual([]);
    expect(restarted.status(ALICE)).toEqual({ pending: null, ready: true });
    expect((await throughProxy(ALICE, 'api/status')).status).toBe(200);

    await (
      await restarted.stop(ALICE)
    ).done;
    expect(await fx.proxyClient.getRoutes()).not.toHaveProperty(`/user/${ALICE}`);
    expect(await serverFieldsOf(restarted, ALICE)).toEqual({ server: null, pending: null, servers: {} });
    expect(await serverTokens(ALICE)).toBe(0);
    // The old manager's in-memory entry is stale now: its poll loop drops it without harm.
    await manager.pollAll();
    expect(manager.status(ALICE)).toBeUndefined();
  });

  it('the poll loop notices a crashed server and removes its route, row and token', async () => {
    await (
      await manager.start(BOB)
    ).ready;
    const pid = manager
      .readyServers()
      .find((s) => s.userName === BOB)!
      .spawner.getState().pid as number;
    process.kill(-pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    await manager.pollAll();
    expect(manager.status(BOB)).toBeUndefined();
    expect(await fx.proxyClient.getRoutes()).not.toHaveProperty(`/user/${BOB}`);
    expect(await fx.database.db.selectFrom('servers').selectAll().execute()).toEqual([]);
    expect(await serverTokens(BOB)).toBe(0);
  });

  it('a server that exits at once fails the start with a clear error and a failed event', async () => {
    const broken = fx.makeManager({ local: { command: ['/bin/false'], args: [] } });
    const ticket = await broken.start(BOB);
    await expect(ticket.ready).rejects.toBeInstanceOf(ServerStartError);
    await expect(ticket.ready).rejects.toThrow(/exited \(status 1\) before it answered/);
    expect(ticket.progress.history().at(-1)).toMatchObject({ failed: true, progress: 100 });
    expect(broken.progressOf(BOB)?.history().at(-1)?.failed).toBe(true);
    expect(await fx.database.db.selectFrom('servers').selectAll().execute()).toEqual([]);
    expect(await serverTokens(BOB)).toBe(0);
  });

  it('a server that never answers fails after the start timeout and is killed', async () => {
    const slow = fx.makeManager({
      local: { command: ['/bin/sleep', '600'], args: [] },
      startTimeoutSeconds: 2,
    });
    const ticket = await slow.start(BOB);
    await expect(ticket.ready).rejects.toThrow(/did not answer .* within/);
    // Nothing of it may still run. (A sandbox's inner process can linger a moment as a zombie,
    // reparented to init, which reaps it: zombies run nothing and are not counted.)
    const ps = spawnSync('ps', ['-u', BOB, '-o', 'stat=,comm=']).stdout.toString();
    const running = ps.split('\n').filter((line) => line.trim() && !line.trim().startsWith('Z'));
    expect(running).toEqual([]);
  }, 30_000);

  it('the idle culler stops a server idle longer than the timeout, and only then', async () => {
    await (
      await manager.start(ALICE)
    ).ready;
    const log = manager['options'].log;
    const stores = createHubStores(fx.database.db);
    const activity = new ServerActivity({
      manager,
      servers: stores.servers,
      users: stores.users,
      routes: fx.proxyClient,
      log,
    });
    const options = { manager, activity, timeoutSeconds: 3600, log };
    expect(await cullIdleServers({ ...options, now: () => Date.now() })).toEqual([]);
    expect(manager.status(ALICE)?.ready).toBe(true);
    expect(await cullIdleServers({ ...options, now: () => Date.now() + 2 * 3600_000 })).toEqual([ALICE]);
    expect(manager.status(ALICE)).toBeUndefined();
    expect(await fx.proxyClient.getRoutes()).not.toHaveProperty(`/user/${ALICE}`);
  });

  it('stopping the hub leaves servers running by default, and stops them with stopServersOnHubStop', async () => {
    const keeps = fx.makeManager();
    await (
      await keeps.start(BOB)
    ).ready;
    const { pid, startTime } = keeps.readyServers()[0]!.spawner.getState() as {
      pid: number;
      startTime: string;
    };
    await keeps.close();
    expect(isSameProcessAlive(pid, startTime)).toBe(true);
    expect(await fx.proxyClient.getRoutes()).toHaveProperty(`/user/${BOB}`);

    const stops = fx.makeManager({ stopServersOnHubStop: true });
    expect((await stops.reattach()).kept).toEqual([`${BOB}/`]);
    await stops.close();
    expect(isSameProcessAlive(pid, startTime)).toBe(false);
    expect(await fx.proxyClient.getRoutes()).not.toHaveProperty(`/user/${BOB}`);
    expect(await fx.database.db.selectFrom('servers').selectAll().execute()).toEqual([]);
  });

  it("stopAllOf (a user's removal) also stops a server a previous hub process left running", async () => {
    const previous = fx.makeManager();
    await (
      await previous.start(ALICE)
    ).ready;
    const { pid, startTime } = previous.readyServers()[0]!.spawner.getState() as {
      pid: number;
      startTime: string;
    };
    await previous.close();
    // A new hub process that has not re-attached yet (the roster import at start runs first).
    const fresh = fx.makeManager();
    await fresh.stopAllOf(ALICE);
    expect(isSameProcessAlive(pid, startTime)).toBe(false);
    expect(await fx.proxyClient.getRoutes()).not.toHaveProperty(`/user/${ALICE}`);
    expect(await fx.database.db.selectFrom('servers').selectAll().execute()).toEqual([]);
    expect(await serverTokens(ALICE)).toBe(0);
  });
});
