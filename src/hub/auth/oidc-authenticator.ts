/**
 * Generic OpenID Connect through `openid-client` (certified, maintained): discovery from the
 * issuer, authorization-code flow with PKCE (S256), `state` and `nonce`. The user name comes from
 * a configurable claim of the ID token (falling back to the userinfo endpoint), lowercased.
 */
import * as oidc from 'openid-client';
import type { AuthenticatedUser, LoginStash, RedirectAuthenticator } from './authenticator.js';
import { normalizeUserName } from './authenticator.js';
import { OAuthCallbackError } from './errors.js';

export interface OidcAuthenticatorOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  callbackUrl: string;
  usernameClaim: string;
  scopes: string[];
  buttonLabel: string;
}

/** Plain http is accepted only for a provider on this machine (tests, a local dev provider). */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

export class OidcAuthenticator implements RedirectAuthenticator {
  readonly kind = 'redirect';
  readonly name = 'oidc';
  readonly buttonLabel: string;
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly options: OidcAuthenticatorOptions) {
    this.buttonLabel = options.buttonLabel;
  }

  /** Discovery happens on first use and is cached; a failure is retried on the next login. */
  private config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.options.issuer);
      this.configuration = oidc
        .discovery(
          issuer,
          this.options.clientId,
          this.options.clientSecret,
          this.options.clientSecret ? undefined : oidc.None(),
          isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw new OAuthCallbackError(`Could not reach the login provider at ${this.options.issuer}.`, {
            hint: 'Try again in a minute; if it persists, tell the administrator (auth.oidc.issuer).',
            cause: error,
          });
        });
    }
    return this.configuration;
  }

  async startLogin(state: string): Promise<{ url: string; stash: LoginStash }> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.callbackUrl,
      scope: this.options.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.toString(), stash: { codeVerifier, nonce } };
  }

  async finishLogin(callbackUrl: URL, state: string, stash: LoginStash): Promise<AuthenticatedUser> {
    const config = await this.config();
    let claims: Record<string, unknown> | undefined;
    let accessToken: string;
    try {
      // openid-client derives redirect_uri from the URL it is given; the hub sees its own
      // (proxied) address, so rebuild the registered callback URL with the provider's query.
      const current = new URL(this.options.callbackUrl);
      current.search = callbackUrl.search;
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: stash.codeVerifier,
        expectedState: state,
        expectedNonce: stash.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      accessToken = tokens.access_token;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new OAuthCallbackError(`The login provider did not sign you in: ${detail}`, {
        hint: 'Start the login again; if it keeps failing, tell the administrator.',
        cause: error,
      });
    }
    let value = claims?.[this.options.usernameClaim];
    if (typeof value !== 'string' && claims && typeof claims.sub === 'string') {
      const info = await oidc.fetchUserInfo(config, accessToken, claims.sub).catch((error: unknown) => {
        throw new OAuthCallbackError(
          `The login provider's userinfo endpoint did not answer for "${this.options.usernameClaim}": ${error instanceof Error ? error.message : String(error)}`,
          { hint: 'Start the login again; if it keeps failing, tell the administrator.', cause: error },
        );
      });
      value = info?.[this.options.usernameClaim];
    }
    if (typeof value !== 'string' || !value.trim())
      throw new OAuthCallbackError(
        `The login provider did not send the "${this.options.usernameClaim}" claim that names you here.`,
        {
          hint: 'Tell the administrator: auth.oidc.usernameClaim may need another claim, or the scope that carries it.',
        },
      );
    return { name: normalizeUserName(value) };
  }
}
