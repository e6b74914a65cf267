// JupyterHub's own HubOAuth (Debian's jupyterhub 3.0, unmodified) in a managed service of a real
// hub: a logged-in browser opens /services/whoami/, is sent through /hub/api/oauth2/authorize
// and the service's callback, and the service, having exchanged the code and called
// /hub/api/user, answers with the user. A user without access to the service is refused by the hub.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealHub, type RealHub } from '../../support/hub.js';
import { freePort } from '../../support/postgres.js';

const SERVICE = fileURLToPath(new URL('./huboauth_service.py', import.meta.url));
const BROWSER = fileURLToPath(new URL('./huboauth_browser.py', import.meta.url));

let hub: RealHub;

beforeAll(async () => {
  hub = await startRealHub({
    demo: true,
    config: {
      auth: { authenticator: 'dummy' },
      services: [
        {
          name: 'whoami',
          url: `http://127.0.0.1:${await freePort()}`,
          command: ['/usr/bin/python3', SERVICE],
          oauthNoConfirm: true,
          oauthAccess: 'all',
        },
        {
          name: 'private',
          url: `http://127.0.0.1:${await freePort()}`,
          command: ['/usr/bin/python3', SERVICE],
          oauthNoConfirm: true,
        },
      ],
    },
  });
}, 60_000);
afterAll(async () => hub?.stop());

async function browse(user: string, path: string): Promise<{ status: number; url: string; body: string }> {
  // The service may still be starting: the proxy answers 502/503 until it listens.
  for (;;) {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [BROWSER, hub.url, user, path], {
      env: { PATH: '/usr/bin:/bin' },
    });
    const answer = JSON.parse(stdout) as { status: number; url: string; body: string };
    if (answer.status !== 502 && answer.status !== 503) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("JupyterHub's HubOAuth in a managed service", () => {
  it('logs a user in through the hub and sees them', async () => {
    const answer = await browse('student1', 'services/whoami/');
    expect(answer.status).toBe(200);
    expect(new URL(answer.url).pathname).toBe('/services/whoami/');
    const user = JSON.parse(answer.body) as Record<string, unknown>;
    expect(user).toMatchObject({ kind: 'user', name: 'student1' });
    expect(user.session_id).toEqual(expect.any(String));
    expect(user.scopes).toContain('access:services!service=whoami');
  }, 60_000);

  it('is closed by the hub to a user without access:services (only admins by default)', async () => {
    const refused = await browse('student1', 'services/private/');
    expect(refused.status).toBe(403);
    expect(new URL(refused.url).pathname).toBe('/hub/api/oauth2/authorize');
    const admin = await browse('instructor', 'services/private/');
    expect(admin.status).toBe(200);
    expect(JSON.parse(admin.body)).toMatchObject({ kind: 'user', name: 'instructor' });
  }, 60_000);
});
