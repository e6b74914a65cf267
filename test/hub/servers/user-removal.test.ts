// Removing a user the one way (src/hub/users/user-removal.ts), on a real hub with the real proxy
// and a real notebook server: the REST API's delete stops the server, revokes the user's tokens
// and sessions (the proxy lets neither through any more, though it had accepted both), and
// removes the route and the rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './hub-fixture.js';

const CAROL = 'chrm_carol';
const ADMIN = 'chrm_admin';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ users: [CAROL], admins: [ADMIN] });
});

afterAll(async () => {
  await hub?.dispose();
});

describe('removing a user', () => {
  it('stops their server, ends their tokens and sessions at the proxy, then removes route and rows', async () => {
    const carol = await hub.session(CAROL);
    const carolToken = await hub.token(CAROL);
    const started = await fetch(`${hub.hubUrl}/hub/api/users/${CAROL}/server`, {
      method: 'POST',
      headers: { authorization: `token ${carolToken}` },
    });
    expect(started.status).toBe(201);
    const server = hub.services.servers
      .readyServers()
      .find((s) => s.userName === CAROL)!
      .spawner.current()!;
    const status = `${hub.proxy.publicUrl}/user/${CAROL}/api/status`;
    // The proxy has checked (and cached) both of her credentials.
    expect((await fetch(status, { headers: { cookie: carol.cookie } })).status).toBe(200);
    expect((await fetch(status, { headers: { authorization: `token ${carolToken}` } })).status).toBe(200);

    const deleted = await fetch(`${hub.hubUrl}/hub/api/users/${CAROL}`, {
      method: 'DELETE',
      headers: { authorization: `token ${await hub.token(ADMIN)}` },
    });
    expect(deleted.status).toBe(204);

    expect(hub.services.servers.status(CAROL)).toBeUndefined();
    await expect(fetch(new URL('api/status', server.url))).rejects.toThrow();
    expect(hub.proxy.routes.get(`/user/${CAROL}`)).toBeUndefined();
    expect(await hub.services.stores.servers.all()).toEqual([]);
    expect(await hub.services.users.get(CAROL)).toBeUndefined();
    const credentials: Record<string, string>[] = [
      { cookie: carol.cookie },
      { authorization: `token ${carolToken}` },
    ];
    for (const headers of credentials) {
      const response = await fetch(status, { headers, redirect: 'manual' });
      expect(response.status).not.toBe(200);
    }
    const asCarol = await fetch(`${hub.hubUrl}/hub/api/user`, {
      headers: { authorization: `token ${carolToken}` },
    });
    expect(asCarol.status).toBe(401);
  });
});
