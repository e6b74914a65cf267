// The home area's server routes refuse a non-owner who sends everything else right (issue 17,
// item 5): bob, signed in, with a valid CSRF token of his own session, may not start, stop or
// watch alice's server through /hub/spawn, /hub/stop and /hub/spawn-pending. The same requests
// from alice go through, so each refusal is the permission check's and nothing else's. On a real
// hub with the real proxy and a real notebook server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';

const ALICE = 'chhr_alice';
const BOB = 'chhr_bob';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ users: [ALICE, BOB] });
});
afterAll(async () => {
  await hub?.dispose();
});

/** A request of `name`'s browser session, with that session's own CSRF token. */
async function asUser(name: string, method: 'GET' | 'POST', path: string, accept = 'text/html') {
  const session = await hub.session(name);
  return fetch(`${hub.hubUrl}${path}`, {
    method,
    headers: { cookie: session.cookie, 'x-xsrf-token': session.csrf, accept },
    redirect: 'manual',
  });
}

const refusal = `You (${BOB}) may not start or stop ${ALICE}&#39;s server.`;

describe("bob and alice's server", () => {
  it('POST /hub/spawn/alice: bob is refused (403), alice is not started', async () => {
    for (const accept of ['text/html', 'application/json']) {
      const response = await asUser(BOB, 'POST', `/hub/spawn/${ALICE}`, accept);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain(refusal);
    }
    expect(hub.services.servers.status(ALICE)).toBeUndefined();
    expect(await hub.services.servers.records(ALICE)).toEqual([]);
  });

  it('POST /hub/spawn/alice: alice herself goes through (303 to the pending page)', async () => {
    const response = await asUser(ALICE, 'POST', `/hub/spawn/${ALICE}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(new RegExp(`^/hub/spawn-pending/${ALICE}\\?next=`));
    const deadline = Date.now() + 60_000;
    while (!hub.services.servers.status(ALICE)?.ready && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hub.services.servers.status(ALICE)).toEqual({ pending: null, ready: true });
  });

  it('GET /hub/spawn-pending/alice: bob is refused (403) and sees nothing of it', async () => {
    const response = await asUser(BOB, 'GET', `/hub/spawn-pending/${ALICE}`);
    expect(response.status).toBe(403);
    const body = await response.text();
    expect(body).toContain(refusal);
    expect(body).not.toContain('server-control');
    expect(body).not.toContain('/progress');
    const own = await asUser(ALICE, 'GET', `/hub/spawn-pending/${ALICE}`);
    expect(own.status).toBe(302);
    expect(own.headers.get('location')).toBe(`/user/${ALICE}/tree`);
  });

  it('POST /hub/stop/alice: bob is refused (403), alice keeps running; alice herself stops it', async () => {
    const response = await asUser(BOB, 'POST', `/hub/stop/${ALICE}`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(refusal);
    expect(hub.services.servers.status(ALICE)).toEqual({ pending: null, ready: true });
    const own = await asUser(ALICE, 'POST', `/hub/stop/${ALICE}`);
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/hub/home');
    expect(hub.services.servers.status(ALICE)).toBeUndefined();
  });
});
