// The OAuth clients of users' servers (JupyterHub's `jupyterhub-user-NAME`, the values a server
// gets in JUPYTERHUB_CLIENT_ID and JUPYTERHUB_OAUTH_CALLBACK_URL): a client only while the server
// runs, its secret the server's own JUPYTERHUB_API_TOKEN and nothing else, no consent page for
// the owner, no entry for another student (no access:servers on it). Real stores and tokens
// (in-memory SQLite); the running servers are stood in for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OauthClients } from '../../../src/hub/oauth/clients.js';
import { OauthPageError } from '../../../src/hub/oauth/errors.js';
import { OauthProvider, type AuthorizeUser } from '../../../src/hub/oauth/provider.js';
import { roleScopes } from '../../../src/hub/scopes.js';
import { createServerToken } from '../../../src/hub/tokens/index.js';
import { startApiTestHub, type ApiTestHub } from '../api/api-app.js';

let hub: ApiTestHub;
const running = new Map<string, string[]>([['alice', ['', 'gpu']]]);
let clients: OauthClients;
let provider: OauthProvider;

beforeAll(async () => {
  hub = await startApiTestHub();
  for (const name of ['alice', 'bob']) await hub.users.create({ name });
  await hub.users.create({ name: 'root_admin', admin: true });
  clients = new OauthClients(
    hub.services.serviceRegistry,
    {
      serverNamesOf: async (user) => running.get(user) ?? [],
      publicUrl: (user, server = '') => `/user/${user}/${server ? `${server}/` : ''}`,
    },
    hub.tokens,
  );
  provider = new OauthProvider(clients, hub.services.stores.oauthCodes, hub.tokens);
});
afterAll(async () => hub?.close());

async function caller(name: string): Promise<AuthorizeUser> {
  const user = (await hub.users.get(name))!;
  const who = { id: (await hub.services.stores.users.findByName(name))!.id, name, admin: user.admin };
  return { ...who, scopes: roleScopes(who) };
}

describe('user-server OAuth clients', () => {
  it('exist while the server runs, with the redirect the server was given', async () => {
    const client = await clients.find('jupyterhub-user-alice');
    expect(client).toMatchObject({ redirectUri: '/user/alice/oauth_callback', serverOwner: 'alice' });
    const named = await clients.find('jupyterhub-user-alice-gpu');
    expect(named).toMatchObject({ redirectUri: '/user/alice/gpu/oauth_callback', serverOwner: 'alice' });
    expect(await clients.find('jupyterhub-user-bob')).toBeUndefined();
    expect(await clients.find('jupyterhub-user-alice-nope')).toBeUndefined();
  });

  it("take the server's own token as the secret, and no other token", async () => {
    const client = (await clients.find('jupyterhub-user-alice'))!;
    const serverToken = (await createServerToken(hub.tokens, 'alice')).token;
    const apiToken = (await hub.tokens.create({ user: 'alice' })).token;
    const bobsServer = (await createServerToken(hub.tokens, 'bob')).token;
    expect(await client.verifySecret(serverToken)).toBe(true);
    expect(await client.verifySecret(apiToken)).toBe(false);
    expect(await client.verifySecret(bobsServer)).toBe(false);
    expect(await client.verifySecret('not-a-token')).toBe(false);
  });

  it('need no consent from their owner, and let another student nowhere near', async () => {
    const query = {
      client_id: 'jupyterhub-user-alice',
      response_type: 'code',
      redirect_uri: '/user/alice/oauth_callback',
    };
    const own = await provider.checkAuthorization(query, await caller('alice'));
    expect(own.needsConsent).toBe(false);
    expect(own.scopes).toContain('access:servers!server=alice/');
    await expect(provider.checkAuthorization(query, await caller('bob'))).rejects.toBeInstanceOf(
      OauthPageError,
    );
    // An admin holds access:servers (JupyterHub's admin role) but is asked first.
    const admin = await provider.checkAuthorization(query, await caller('root_admin'));
    expect(admin.needsConsent).toBe(true);
  });

  it("issue a token that /hub/api/user shows with access to that server and the login's session_id", async () => {
    const alice = await caller('alice');
    const query = {
      client_id: 'jupyterhub-user-alice',
      response_type: 'code',
      redirect_uri: '/user/alice/oauth_callback',
    };
    const redirect = await provider.approve(
      await provider.checkAuthorization(query, alice),
      alice,
      'the-session',
    );
    const code = new URL(redirect, 'http://hub.invalid').searchParams.get('code')!;
    const secret = (await createServerToken(hub.tokens, 'alice')).token;
    const token = await provider.exchange(
      { grant_type: 'authorization_code', code, client_id: 'jupyterhub-user-alice', client_secret: secret },
      undefined,
    );
    const me = await hub.app.inject({
      url: '/hub/api/user',
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(me.statusCode).toBe(200);
    const body = me.json();
    expect(body).toMatchObject({
      kind: 'user',
      name: 'alice',
      session_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(body.scopes).toContain('access:servers!server=alice/');
    // rest-api.yml's Token model: session_id of the OAuth token in the owner's token list.
    const list = await hub.app.inject({
      url: '/hub/api/users/alice/tokens',
      headers: await hub.tokenHeaders('root_admin'),
    });
    const tokens = list.json().api_tokens as Record<string, unknown>[];
    expect(tokens.find((t) => t.id === body.token_id)).toMatchObject({ session_id: body.session_id });
  });
});
