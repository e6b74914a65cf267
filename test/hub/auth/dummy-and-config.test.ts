// The dummy authenticator (loopback only), the auth config checks, and the safe `next` rule.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHubServices } from '../../../src/app/services.js';
import { configSchema, type CoursehubConfig } from '../../../src/config/schema.js';
import { isLoopbackAddress, resolveAuthChoice } from '../../../src/hub/auth/auth-config.js';
import { AuthConfigError } from '../../../src/hub/auth/errors.js';
import { openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import { HubUrls } from '../../../src/hub/urls.js';
import { safeNextPath } from '../../../src/web/login/safe-next.js';
import { Browser, startTestHub, type TestHub } from './hub-fixture.js';

const hubs: TestHub[] = [];
const ROOT = new HubUrls('/');

/** The hub's services as `coursehub start` builds them (the login services included). */
function buildServices(config: CoursehubConfig, handle: DatabaseHandle) {
  return buildHubServices({ config, db: handle.db, log: pino({ level: 'silent' }) }, { auth: { env: {} } });
}
afterAll(async () => {
  for (const hub of hubs) await hub.close();
});

describe('dummy authenticator', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1'])(
    'is refused at start when the hub listens on %s',
    async (ip) => {
      const config = configSchema.parse({
        hub: { ip, cookieSecret: 'ab'.repeat(32) },
        auth: { authenticator: 'dummy' },
      });
      expect(() => resolveAuthChoice(config, {})).toThrow(AuthConfigError);
      const handle = openDatabase({ url: ':memory:' });
      try {
        await expect(buildServices(config, handle)).rejects.toThrow(
          `The dummy authenticator lets anyone log in with any password, so it is refused while the hub listens on ${ip}.`,
        );
      } finally {
        await handle.close();
      }
    },
  );

  it('lets an allowed user in with any password on loopback, and keeps others out', async () => {
    const hub = await startTestHub(
      { hub: { ip: '127.0.0.1' }, auth: { authenticator: 'dummy' } },
      { users: [{ name: 'demo' }] },
    );
    hubs.push(hub);
    const page = await new Browser(hub.app).request({ url: '/hub/login' });
    expect(page.body).toContain('any password is accepted');
    expect((await new Browser(hub.app).login('Demo', 'anything')).statusCode).toBe(302);
    const stranger = await new Browser(hub.app).login('stranger', 'anything');
    expect(stranger.statusCode).toBe(403);
    expect(stranger.body).toContain('is not a user of this hub');
    expect((await new Browser(hub.app).login('', 'anything')).statusCode).toBe(401);
  });

  it('recognises loopback addresses', () => {
    for (const ip of ['127.0.0.1', '127.8.9.10', '::1', 'localhost'])
      expect(isLoopbackAddress(ip)).toBe(true);
    for (const ip of ['0.0.0.0', '::', '128.0.0.1', '127.0.0.1.evil', ''])
      expect(isLoopbackAddress(ip)).toBe(false);
  });
});

describe('auth configuration', () => {
  it('rejects an unknown authenticator and unknown keys, naming them', () => {
    expect(() => configSchema.parse({ auth: { authenticator: 'ldap' } })).toThrow(/authenticator/);
    expect(() => configSchema.parse({ auth: { local: { maxFailure: 3 } } })).toThrow(/maxFailure/);
  });

  it('needs the cookie secret to sign sessions', async () => {
    const handle = openDatabase({ url: ':memory:' });
    try {
      await expect(buildServices(configSchema.parse({}), handle)).rejects.toThrow(/hub\.cookieSecret/);
    } finally {
      await handle.close();
    }
  });

  it('needs issuer, client id and callback for OIDC, naming each', () => {
    const attempt = (oidc: Record<string, string>) => () =>
      resolveAuthChoice(configSchema.parse({ auth: { authenticator: 'oidc', oidc } }), {});
    expect(attempt({ clientId: 'c', callbackUrl: 'https://h/cb' })).toThrow(/auth\.oidc\.issuer/);
    expect(attempt({ issuer: 'https://i', callbackUrl: 'https://h/cb' })).toThrow(/auth\.oidc\.clientId/);
    expect(attempt({ issuer: 'https://i', clientId: 'c' })).toThrow(
      /auth\.oidc\.callbackUrl.*OAUTH_CALLBACK_URL/,
    );
  });

  it('takes the first-run admin password from COURSEHUB_ADMIN_PASSWORD', () => {
    const choice = resolveAuthChoice(configSchema.parse({}), { COURSEHUB_ADMIN_PASSWORD: 'from-env-123' });
    expect(choice).toEqual({ kind: 'local', adminUser: 'admin', adminPassword: 'from-env-123' });
  });
});

describe('safeNextPath', () => {
  it('keeps local paths with query and fragment', () => {
    expect(safeNextPath('/user/ann/notebooks/a%20b.ipynb?kernel=1#cell', ROOT)).toBe(
      '/user/ann/notebooks/a%20b.ipynb?kernel=1#cell',
    );
    expect(safeNextPath('/hub/admin', ROOT)).toBe('/hub/admin');
  });

  it.each([
    undefined,
    '',
    'hub/home',
    'http://evil',
    '//evil',
    '///evil',
    '/\\evil',
    '\\\\evil',
    '/x\n',
    '/hub/login?next=/x',
    '/hub/oauth_callback',
  ])('sends %j home', (next) => {
    expect(safeNextPath(next, ROOT)).toBe('/hub/home');
  });
});
