// Bad input to the admin console (issue 17, items 1 and 3): numbers in its query answer a 400
// page that names the parameter and its range, never a 500, and nothing is changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, startTestHub, type TestHub } from '../hub/auth/hub-fixture.js';

let hub: TestHub;
let admin: Browser;

async function userRows() {
  return hub.handle.db.selectFrom('users').select(['id', 'name', 'admin']).orderBy('id').execute();
}

beforeAll(async () => {
  hub = await startTestHub(
    { auth: { authenticator: 'dummy' } },
    { users: [{ name: 'prof', admin: true }, { name: 'amy' }] },
  );
  admin = new Browser(hub.app);
  expect((await admin.login('prof', 'any')).statusCode).toBe(302);
});
afterAll(async () => hub?.close());

describe('the admin console query', () => {
  it.each([
    ['offset', '99999999999999999999'],
    ['offset', '2147483648'],
    ['limit', '99999999999999999999'],
    ['offset', '-1'],
    ['limit', '1e3'],
  ])('?%s=%s is a 400 page naming the parameter and its range', async (name, value) => {
    const before = await userRows();
    const page = await admin.request({ url: `/hub/admin?${name}=${value}` });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain(
      `${name} must be a whole number from 0 to 2147483647 (got &quot;${value}&quot;)`,
    );
    expect(await userRows()).toEqual(before);
  });

  it.each(['constructor', 'toString', '__proto__'])(
    "?flash=%s shows no message (only the console's own flash codes do)",
    async (code) => {
      const page = await admin.request({ url: `/hub/admin?flash=${code}&subject=x` });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toMatch(/class="flash/);
      expect(page.body).not.toContain('native code');
    },
  );

  it('the largest offset shows an empty page', async () => {
    const page = await admin.request({ url: '/hub/admin?offset=2147483647' });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('data-user="amy"');
  });
});
