// A real Python client (client.py beside this file, Debian's python3-requests) written against
// JupyterHub 5's documented REST API, run against the hub `coursehub start` runs, with the real
// proxy and a real notebook server: it lists users with the idle culler's least-privilege token
// and reads activity, starts a server and follows its progress stream, stops it, and logs in
// through the form with the `_xsrf` cookie and the X-XSRFToken header. What it saw comes back as
// a JSON report, checked here against the documented shapes.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { startRealHub, type RealHub } from '../support/hub.js';

const USER = 'chpy_alice';
const ADMIN = 'chpy_admin';
const CLIENT = fileURLToPath(new URL('client.py', import.meta.url));
let hub: RealHub;

beforeAll(async () => {
  for (const name of [USER, ADMIN]) removeUnixAccount(name);
  hub = await startRealHub({
    // Activity recorded every second, so the client sees its own traffic without a long wait.
    config: { auth: { authenticator: 'dummy' }, spawner: { activityIntervalSeconds: 1 } },
  });
  await hub.hub.services.users.create({ name: USER });
  await hub.hub.services.users.create({ name: ADMIN, admin: true });
});
afterAll(async () => {
  await hub?.stop();
  for (const name of [USER, ADMIN]) removeUnixAccount(name);
});

describe('a Python client of JupyterHub 5 (requests)', () => {
  it('walks the culler, spawn, progress, activity and form-login flows', { timeout: 180_000 }, async () => {
    const { tokens } = hub.hub.services;
    const token = async (user: string, scopes?: string[]) => (await tokens.create({ user, scopes })).token;
    const env = {
      PATH: '/usr/bin:/bin',
      CULLER_TOKEN: await token(ADMIN, [
        'list:users',
        'read:users:activity',
        'read:servers',
        'delete:servers',
      ]),
      ADMIN_TOKEN: await token(ADMIN),
      USER_NAME: USER,
      USER_TOKEN: await token(USER),
      PASSWORD: 'anything',
    };
    // Asynchronously: the hub answering the client runs in this process.
    const run = await promisify(execFile)('python3', [CLIENT, hub.url], { env, timeout: 170_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`client.py failed:\n${error.stderr ?? ''}\n${error.stdout ?? ''}`);
      },
    );
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report.bad_token_status).toBe(403);
    expect([201, 202]).toContain(report.start_status);
    expect(report.progress_last).toMatchObject({ progress: 100, ready: true, url: `/user/${USER}/` });
    expect(report.progress).toEqual([...report.progress].sort((a: number, b: number) => a - b));
    // list:users (read:users:name: kind, name, admin), read:users:activity, read:servers.
    expect(report.culler_keys).toEqual(['admin', 'kind', 'last_activity', 'name', 'servers']);
    expect(report.culler_server_keys).toEqual([
      'full_name',
      'full_progress_url',
      'full_url',
      'last_activity',
      'name',
      'pending',
      'progress_url',
      'ready',
      'started',
      'stopped',
      'url',
      'user_options',
    ]);
    expect(report.activity_after > report.activity_before).toBe(true);
    expect(report.activity_post_status).toBe(200);
    expect([202, 204]).toContain(report.stop_status);
    expect(report.login_status).toBe(302);
    expect(report.cookie_post_statuses).toEqual([403, 201]);
  });
});
