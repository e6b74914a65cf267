/**
 * The hub as an OAuth2 provider (RFC 6749 authorization-code grant), as JupyterHub is one for its
 * services and users' servers (HubOAuth, jupyterhub-singleuser, JupyterLab's hub extension):
 *
 *   authorize  the logged-in user's request checked (client, exact redirect_uri, response_type,
 *              scopes, access to the client), consent needed or not, then a code on approval;
 *   exchange   a code for an API token (kind 'oauth'): the client authenticated by its secret
 *              (client_secret_post or HTTP Basic), the code single-use, its own, unexpired, with
 *              the same redirect_uri and (when the client sent a PKCE challenge) the verifier.
 *
 * Scopes as JupyterHub resolves them: a client always gets to identify the user
 * (`read:users:name`, `read:users:groups` on them) and to be accessed by them (`access:servers`
 * on a server client, `access:services` on a service); beyond that only what the client is
 * allowed to ask (`oauthClientAllowedScopes`) and the user holds. A scope the client may not ask
 * for is refused (invalid_scope); one the user does not hold is left out.
 *
 * Hand-written rather than over @node-oauth/oauth2-server: that library refuses redirect URIs
 * without a scheme (its authorize handler requires `scheme:`), and JupyterHub's clients use
 * paths (`/user/NAME/oauth_callback`, JUPYTERHUB_OAUTH_CALLBACK_URL), which JupyterHub itself
 * accepts by patching oauthlib's absolute-URI check; the grant is small, and its checks are
 * tested here one by one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { OauthCodeStore } from '../../db/stores/oauth-codes.js';
import { expandScopes, hasScope, parseScope, roleScopes, scopesBeyond } from '../scopes.js';
import { hashToken, type TokenService } from '../tokens/index.js';
import type { OauthClient, OauthClients } from './clients.js';
import { OauthPageError, OauthProtocolError } from './errors.js';

/** JupyterHub keeps an authorization code for 5 minutes. */
export const CODE_LIFETIME_SECONDS = 300;
/** Issued tokens live as long as a hub login (JupyterHub's oauth_token_expires_in follows the cookie's age). */
export const OAUTH_TOKEN_LIFETIME_SECONDS = 14 * 24 * 3600;

export interface AuthorizeUser {
  id: number;
  name: string;
  admin: boolean;
  /** The caller's expanded scopes now (access to the client is checked on them). */
  scopes: Set<string>;
}

/** An authorize request, checked: what the consent page shows and the approval uses. */
export interface CheckedAuthorization {
  client: OauthClient;
  redirectUri: string;
  state: string | undefined;
  /** Raw scopes that will be granted: identify + access + those asked, allowed and held. */
  scopes: string[];
  /** The subset worth describing to the user (not identify/access). */
  extraScopes: string[];
  needsConsent: boolean;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

type Params = Record<string, unknown>;

function param(params: Params, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value))
    throw new OauthProtocolError(400, 'invalid_request', `The parameter ${name} is given more than once.`);
  return typeof value === 'string' ? value : undefined;
}

/** JupyterHub's public session id of a hub login: derived, so the session's secret never leaves the hub. */
export function publicSessionId(sessionId: string): string {
  return createHash('sha256').update(`session:${sessionId}`).digest('hex').slice(0, 32);
}

function identifyScopes(userName: string): string[] {
  return [`read:users:name!user=${userName}`, `read:users:groups!user=${userName}`];
}

export class OauthProvider {
  constructor(
    private readonly clients: OauthClients,
    private readonly codes: OauthCodeStore,
    private readonly tokens: TokenService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Checks an authorize request (query of GET, the same query on POST). Errors that cannot go
   * back to a verified redirect_uri are OauthPageError; those that can, OauthProtocolError
   * (with `redirectUri` known to the caller through `redirectTarget`).
   */
  async checkAuthorization(query: Params, user: AuthorizeUser): Promise<CheckedAuthorization> {
    const clientId = param(query, 'client_id');
    const client = clientId ? await this.clients.find(clientId) : undefined;
    if (!client)
      throw new OauthPageError(400, `Unknown OAuth client "${clientId ?? ''}".`, {
        hint: 'The application that sent you here is not registered with this hub (or its server is not running).',
      });
    const redirectUri = param(query, 'redirect_uri') ?? client.redirectUri;
    // Exactly the client's: no prefix match, no other path or host (RFC 6749 3.1.2.3).
    if (redirectUri !== client.redirectUri)
      throw new OauthPageError(400, `The redirect_uri is not the one registered for ${client.description}.`, {
        hint: 'Nothing was sent anywhere. Go back to the application and try again.',
      });
    if (!client.openToAllUsers && !hasScope(user.scopes, client.access.scope, client.access.target))
      throw new OauthPageError(
        403,
        `You (${user.name}) do not have permission to access ${client.description}.`,
      );
    const state = param(query, 'state');
    try {
      return await this.checkForClient(query, client, redirectUri, state, user);
    } catch (error) {
      // From here on errors go back to the client's own (verified) redirect_uri.
      if (error instanceof OauthProtocolError && !error.back)
        throw new OauthProtocolError(error.status, error.error, error.description, { redirectUri, state });
      throw error;
    }
  }

  private async checkForClient(
    query: Params,
    client: OauthClient,
    redirectUri: string,
    state: string | undefined,
    user: AuthorizeUser,
  ): Promise<CheckedAuthorization> {
    const responseType = param(query, 'response_type');
    if (responseType !== 'code')
      throw new OauthProtocolError(400, 'unsupported_response_type', 'Only response_type=code is supported.');
    const challenge = param(query, 'code_challenge');
    const method = param(query, 'code_challenge_method') ?? (challenge ? 'plain' : undefined);
    if (method !== undefined && method !== 'S256' && method !== 'plain')
      throw new OauthProtocolError(400, 'invalid_request', 'code_challenge_method must be S256 or plain.');
    if (method !== undefined && !challenge)
      throw new OauthProtocolError(400, 'invalid_request', 'code_challenge_method without code_challenge.');
    if (challenge !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge))
      throw new OauthProtocolError(
        400,
        'invalid_request',
        'code_challenge must be 43 to 128 unreserved characters.',
      );

    const { scopes, extraScopes } = this.resolveScopes(param(query, 'scope') ?? '', client, user);
    return {
      client,
      redirectUri,
      state,
      scopes,
      extraScopes,
      needsConsent: await this.needsConsent(client, user, extraScopes),
      codeChallenge: challenge,
      codeChallengeMethod: method as 'S256' | 'plain' | undefined,
    };
  }

  private resolveScopes(
    requested: string,
    client: OauthClient,
    user: AuthorizeUser,
  ): { scopes: string[]; extraScopes: string[] } {
    const required = [...identifyScopes(user.name), client.access.granted];
    const allowedByClient = expandScopes(
      [...client.allowedScopes, ...required].map((s) => (s.endsWith('!user') ? `${s}=${user.name}` : s)),
      user.name,
    );
    const heldByUser = roleScopes(user);
    const extra: string[] = [];
    for (const raw of requested.split(/\s+/).filter(Boolean)) {
      // 'identify' was JupyterHub 1's only scope; it asks for nothing beyond the required ones.
      if (raw === 'identify') continue;
      const scope = raw.endsWith('!user') ? `${raw}=${user.name}` : raw;
      try {
        parseScope(scope);
      } catch {
        throw new OauthProtocolError(400, 'invalid_scope', `Unknown scope "${raw}".`);
      }
      if (scopesBeyond(expandScopes([scope], user.name), allowedByClient).length > 0)
        throw new OauthProtocolError(400, 'invalid_scope', `The client may not ask for the scope "${raw}".`);
      if (required.includes(scope)) continue;
      // Only what the user holds is passed on; the rest is left out, as in JupyterHub.
      if (scopesBeyond(expandScopes([scope], user.name), heldByUser).length > 0) continue;
      if (!extra.includes(scope)) extra.push(scope);
    }
    return { scopes: [...required, ...extra], extraScopes: extra };
  }

  /**
   * As JupyterHub: no consent page for the user's own server, a trusted service
   * (oauthNoConfirm), or a client the user already granted these scopes (a live token).
   */
  private async needsConsent(client: OauthClient, user: AuthorizeUser, extra: string[]): Promise<boolean> {
    if (client.serverOwner === user.name || client.noConfirm) return false;
    const granted = (await this.tokens.scopesGrantedTo(user.id, client.id)).flat();
    if (granted.length === 0) return true;
    return !extra.every((scope) => granted.includes(scope));
  }

  /**
   * Issues a code for a checked request and returns where the browser goes: the registered
   * redirect_uri with `code` and `state`. `approvedExtra` = the extra scopes the user left ticked.
   */
  async approve(
    checked: CheckedAuthorization,
    user: AuthorizeUser,
    sessionId: string | null,
    approvedExtra: readonly string[] = checked.extraScopes,
  ): Promise<string> {
    const scopes = checked.scopes.filter(
      (s) => !checked.extraScopes.includes(s) || approvedExtra.includes(s),
    );
    const code = randomBytes(32).toString('base64url');
    await this.codes.deleteExpired(this.now().toISOString());
    await this.codes.insert({
      codeHash: hashToken(code),
      clientId: checked.client.id,
      userId: user.id,
      scopes,
      redirectUri: checked.redirectUri,
      sessionId: sessionId === null ? null : publicSessionId(sessionId),
      codeChallenge: checked.codeChallenge ?? null,
      codeChallengeMethod: checked.codeChallengeMethod ?? null,
      expiresAt: new Date(this.now().getTime() + CODE_LIFETIME_SECONDS * 1000).toISOString(),
    });
    return redirectWith(checked.redirectUri, { code, state: checked.state });
  }

  /** POST /oauth2/token with grant_type=authorization_code. */
  async exchange(body: Params, authorization: string | undefined): Promise<TokenAnswer> {
    const grantType = param(body, 'grant_type');
    if (grantType !== 'authorization_code')
      throw new OauthProtocolError(
        400,
        'unsupported_grant_type',
        'Only grant_type=authorization_code is supported.',
      );
    const client = await this.authenticateClient(body, authorization);
    const code = param(body, 'code');
    if (!code) throw new OauthProtocolError(400, 'invalid_request', 'The code is missing.');
    // Taken (deleted) whatever follows: a code is good for one attempt only.
    const record = await this.codes.take(hashToken(code));
    if (!record)
      throw new OauthProtocolError(400, 'invalid_grant', 'The code is unknown or was used already.');
    if (record.clientId !== client.id)
      throw new OauthProtocolError(400, 'invalid_grant', 'The code was issued to another client.');
    if (record.expiresAt <= this.now().toISOString())
      throw new OauthProtocolError(400, 'invalid_grant', 'The code has expired.');
    if ((param(body, 'redirect_uri') ?? record.redirectUri) !== record.redirectUri)
      throw new OauthProtocolError(
        400,
        'invalid_grant',
        'The redirect_uri differs from the authorization request.',
      );
    if (record.codeChallenge !== null) {
      const verifier = param(body, 'code_verifier');
      if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
        throw new OauthProtocolError(
          400,
          'invalid_grant',
          'The code_verifier is missing or malformed (PKCE).',
        );
      const computed =
        record.codeChallengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (computed !== record.codeChallenge)
        throw new OauthProtocolError(
          400,
          'invalid_grant',
          'The code_verifier does not match the code_challenge (PKCE).',
        );
    }
    if (record.userName === undefined)
      throw new OauthProtocolError(400, 'invalid_grant', 'The user of this code no longer exists.');
    // Access to the client itself was checked when the user authorized it (a server's owner
    // holds it through `access:servers!user=`, which the token service's owner check does not
    // read as covering one server): granted by the hub, not re-checked against the roles.
    const access = record.scopes.filter(
      (s) => s.startsWith('access:services!service=') || s.startsWith('access:servers!server='),
    );
    const { token } = await this.tokens.create({
      user: record.userName,
      kind: 'oauth',
      note: `OAuth token for ${client.description}`,
      scopes: record.scopes.filter((s) => !access.includes(s)),
      hubGrantedScopes: access,
      oauthClientId: client.id,
      sessionId: record.sessionId,
      expiresInSeconds: OAUTH_TOKEN_LIFETIME_SECONDS,
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: OAUTH_TOKEN_LIFETIME_SECONDS,
      scope: record.scopes.join(' '),
    };
  }

  /** client_secret_post (client_id and client_secret in the body) or HTTP Basic (RFC 6749 2.3.1). */
  private async authenticateClient(body: Params, authorization: string | undefined): Promise<OauthClient> {
    let clientId = param(body, 'client_id');
    let secret = param(body, 'client_secret');
    const basic = authorization === undefined ? null : /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OauthProtocolError(401, 'invalid_client', 'Malformed HTTP Basic credentials.');
      const basicId = decodeURIComponent(decoded.slice(0, colon));
      if (clientId !== undefined && clientId !== basicId)
        throw new OauthProtocolError(400, 'invalid_request', 'Two different client ids.');
      clientId = basicId;
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    const client = clientId ? await this.clients.find(clientId) : undefined;
    if (!client || !secret || !(await client.verifySecret(secret)))
      throw new OauthProtocolError(401, 'invalid_client', 'Client authentication failed.');
    return client;
  }
}

/** `uri` with these query parameters added (after any it has). */
export function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, value);
  const hash = uri.indexOf('#');
  const base = hash < 0 ? uri : uri.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}${query.toString()}`;
}
