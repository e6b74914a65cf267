// The CSRF check and the identity must agree on how a request was authenticated (issue 11, item
// 6): a malformed `Authorization` header (`token a b`) identifies nobody, so the session cookie
// that came with it does, and the cookie's request must then carry the CSRF token like any other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiTestHub, type ApiTestHub } from '../api/api-app.js';

let hub: ApiTestHub;

beforeAll(async () => {
  hub = await startApiTestHub();
  await hub.users.create({ name: 'alice', admin: false });
  await hub.users.create({ name: 'mallory', admin: false });
});
afterAll(async () => hub?.close());

const MALFORMED = ['token a b', 'bearer a b', 'token  a\tb', 'Token a b c', 'token a,b c'];

describe('a state-changing request with a session cookie', () => {
  it.each(MALFORMED)('and the malformed header %j is refused for want of the CSRF token', async (header) => {
    const cookie = (await hub.sessionHeaders('alice', false)).cookie!;
    const before = await hub.tokens.list('alice');
    const response = await hub.app.inject({
      method: 'POST',
      url: '/hub/api/users/alice/tokens',
      headers: { cookie, authorization: header, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ status: 403, message: expect.stringMatching(/CSRF/) });
    expect(await hub.tokens.list('alice')).toEqual(before);
  });

  it('and a well-formed token is the identity: no CSRF token needed, the cookie lends nothing', async () => {
    const cookie = (await hub.sessionHeaders('alice', false)).cookie!;
    const malloryToken = (await hub.tokenHeaders('mallory')).authorization!;
    // Mallory's token cannot make alice a token, even with alice's cookie alongside.
    const refused = await hub.app.inject({
      method: 'POST',
      url: '/hub/api/users/alice/tokens',
      headers: { cookie, authorization: malloryToken, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/requires any of \[tokens\] for user alice/);
    const own = await hub.app.inject({
      method: 'POST',
      url: '/hub/api/users/mallory/tokens',
      headers: { cookie, authorization: malloryToken, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ user: 'mallory' });
  });
});
