// JupyterHub's root and spawn links, through the real proxy to the real hub and a real notebook
// server: `/` -> `/hub/` -> home or login; GET /hub/spawn and /hub/spawn/{name} start the server
// (coursehub's spawners have no options form) and go to it, as JupyterHub's SpawnHandler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../hub/servers/hub-fixture.js';
import { startTestHub as startLoginHub } from '../hub/auth/hub-fixture.js';

const ALICE = 'chjhp_alice';
const BOB = 'chjhp_bob';
const ADMIN = 'chjhp_admin';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ users: [ALICE, BOB], admins: [ADMIN] });
}, 60_000);
afterAll(async () => hub?.dispose());

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${hub.proxy.publicUrl}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
}

describe("JupyterHub's root and spawn pages", () => {
  it('/ redirects to /hub/, which sends a stranger to log in and a user home', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/hub/');
    const anonymous = await get('/hub/');
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([302, '/hub/login']);
    const { cookie } = await hub.session(ALICE);
    const signedIn = await get('/hub/', cookie);
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([302, '/hub/home']);
  });

  it('GET /hub/spawn sends a stranger to log in, coming back to it', async () => {
    const res = await get('/hub/spawn');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent('/hub/spawn')}`);
  });

  it("GET /hub/spawn/{name} of another user's server is refused (403) without `servers` on them", async () => {
    const { cookie } = await hub.session(ALICE);
    const res = await get(`/hub/spawn/${BOB}`, cookie);
    expect(res.status).toBe(403);
    expect(hub.services.servers.status(BOB)).toBeUndefined();
  });

  it(
    'GET /hub/spawn starts the server and goes to it through the pending page; once ready, straight to it',
    { timeout: 90_000 },
    async () => {
      const { cookie } = await hub.session(ALICE);
      const res = await get('/hub/spawn', cookie);
      expect(res.status).toBe(302);
      const pending = res.headers.get('location')!;
      expect(pending).toBe(`/hub/spawn-pending/${ALICE}?next=${encodeURIComponent(`/user/${ALICE}/tree`)}`);
      expect(hub.services.servers.status(ALICE)).toBeDefined();
      // The pending page sends the browser on once the server runs.
      const ticket = hub.services.servers.progressOf(ALICE)!;
      await new Promise<void>((resolve) => {
        const unsubscribe = ticket.subscribe((e) => {
          if (e.ready || e.failed) {
            queueMicrotask(() => unsubscribe());
            resolve();
          }
        });
      });
      const onward = await get(pending, cookie);
      expect([onward.status, onward.headers.get('location')]).toEqual([302, `/user/${ALICE}/tree`]);
      const again = await get(
        `/hub/spawn?next=${encodeURIComponent(`/user/${ALICE}/notebooks/x.ipynb`)}`,
        cookie,
      );
      expect([again.status, again.headers.get('location')]).toEqual([
        302,
        `/user/${ALICE}/notebooks/x.ipynb`,
      ]);
      // An admin (servers on everyone) is sent to alice's running server too.
      const admin = await hub.session(ADMIN);
      const byAdmin = await get(`/hub/spawn/${ALICE}`, admin.cookie);
      expect([byAdmin.status, byAdmin.headers.get('location')]).toEqual([302, `/user/${ALICE}/tree`]);
      // The server itself answers there.
      const tree = await get(`/user/${ALICE}/api/status`, cookie);
      expect(tree.status).toBe(200);
    },
  );
});

describe('under hub.baseUrl', () => {
  it('/jhub and /jhub/ redirect to /jhub/hub/', async () => {
    const prefixed = await startLoginHub({
      hub: { ip: '127.0.0.1', baseUrl: '/jhub/' },
      auth: { authenticator: 'dummy' },
    });
    try {
      for (const url of ['/jhub', '/jhub/']) {
        const res = await prefixed.app.inject({ method: 'GET', url });
        expect([res.statusCode, res.headers.location]).toEqual([302, '/jhub/hub/']);
      }
      const hubRoot = await prefixed.app.inject({ method: 'GET', url: '/jhub/hub/' });
      expect([hubRoot.statusCode, hubRoot.headers.location]).toEqual([302, '/jhub/hub/login']);
    } finally {
      await prefixed.close();
    }
  });
});
