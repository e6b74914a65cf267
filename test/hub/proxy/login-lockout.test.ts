// The hub's per-address login lock-out, through the real proxy in front of the real hub
// (`coursehub start`): a client that forges X-Forwarded-For (any local process could, a
// student's code included) is still the address it connects from, so it cannot escape the
// lock-out by making up a new address for every try.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../../support/hub.js';

const ADMIN_PASSWORD = 'admin-password-for-lockout';
const MAX_FAILURES = 3;

/** A hub of its own for each block: the lock-out is kept in the hub's memory. */
function useHub(): { readonly hub: RealHub } {
  const holder = {} as { hub: RealHub };
  beforeAll(async () => {
    holder.hub = await startRealHub({
      config: {
        auth: {
          authenticator: 'local',
          local: { adminPassword: ADMIN_PASSWORD, maxFailures: MAX_FAILURES, failureWindowMinutes: 10 },
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await holder.hub?.stop();
  });
  return holder;
}

/** One login attempt at `base` (the proxy, or the hub itself), as a browser would make it. */
async function tryLogin(
  base: string,
  username: string,
  password: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const page = await fetch(new URL('hub/login', base), { headers });
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(await page.text())?.[1];
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const answer = await fetch(new URL('hub/login', base), {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _xsrf: xsrf ?? '', username, password }).toString(),
  });
  return { status: answer.status, body: await answer.text() };
}

describe('per-address login lock-out through the proxy', () => {
  const holder = useHub();
  it('is not escaped by forging X-Forwarded-For (or Forwarded, X-Real-IP) on each try', async () => {
    const { hub } = holder;
    // Each try names another user, so only the per-address limit can lock.
    for (let i = 0; i < MAX_FAILURES; i++) {
      const wrong = await tryLogin(hub.url, `nobody${i}`, 'wrong-password', {
        'x-forwarded-for': `198.51.100.${i}`,
        'x-real-ip': `198.51.100.${i}`,
        forwarded: `for=198.51.100.${i}`,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toContain('Invalid user name or password.');
    }
    // Another made-up address, and even the right password: this connection's address is locked.
    const locked = await tryLogin(hub.url, 'admin', ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.50' });
    expect(locked.status).toBe(429);
    expect(locked.body).toMatch(/Too many failed logins|try again/i);
  });
});

describe('the hub trusts one hop: its proxy', () => {
  const holder = useHub();
  it('takes only the last X-Forwarded-For entry, so a forged chain ending in loopback is not believed', async () => {
    // Straight to the hub's own port: only the entry its proxy would have added (the last) counts.
    const { hub } = holder;
    const direct = `http://127.0.0.1:${hub.hub.config.hub.hubPort}/`;
    for (let i = 0; i < MAX_FAILURES; i++) {
      const wrong = await tryLogin(direct, `nobody${i}`, 'wrong-password', {
        'x-forwarded-for': `198.51.100.${i}, 127.0.0.1`,
      });
      expect(wrong.status).toBe(401);
    }
    const locked = await tryLogin(direct, 'admin', ADMIN_PASSWORD, {
      'x-forwarded-for': '203.0.113.51, 127.0.0.1',
    });
    expect(locked.status).toBe(429);
  });
});
