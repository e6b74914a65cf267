// The local-password path on real PostgreSQL (the other login tests use SQLite): first-run
// admin, login, password change (upsert), admin reset, and sessions ending with their user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { createTestDatabase } from '../../support/postgres.js';
import { Browser, startTestHub, type TestHub } from './hub-fixture.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub(
    { auth: { authenticator: 'local', local: { adminPassword: 'admin-secret-1' } } },
    { dbUrl: await createTestDatabase(), users: [{ name: 'ann' }] },
  );
});
afterAll(async () => {
  await hub?.close();
});

describe('local login on PostgreSQL', () => {
  it('bootstraps the admin and logs in', async () => {
    expect(hub.handle.dialect).toBe('postgres');
    const response = await new Browser(hub.app).login('admin', 'admin-secret-1');
    expect(response.statusCode).toBe(302);
  });

  it('changes, resets and checks passwords; deleting the user ends their sessions', async () => {
    const accounts = hub.services.auth.localAccounts!;
    await accounts.setPassword('ann', 'first-password');
    await accounts.setPassword('ann', 'second-password');
    const b = new Browser(hub.app);
    expect((await b.login('ann', 'first-password')).statusCode).toBe(401);
    expect((await b.login('ann', 'second-password')).statusCode).toBe(302);
    await expect(
      accounts.changePassword('ann', 'second-password', 'third-password', 'third-password'),
    ).resolves.toBeUndefined();
    expect(await hub.services.auth.sessions.resolve(b.cookies.get(SESSION_COOKIE_NAME))).toBeNull();
    const temporary = await accounts.resetPassword('ann');
    expect(await accounts.mustChange('ann')).toBe(true);
    const again = new Browser(hub.app);
    const login = await again.login('ann', temporary);
    expect(login.headers.location).toBe('/hub/change-password?next=%2Fhub%2Fhome');
    await hub.handle.db.deleteFrom('users').where('name', '=', 'ann').execute();
    expect(await hub.services.auth.sessions.resolve(again.cookies.get(SESSION_COOKIE_NAME))).toBeNull();
    const credentials = await hub.handle.db.selectFrom('password_credentials').select('user_name').execute();
    expect(credentials.map((c) => c.user_name)).toEqual(['admin']);
  });
});
