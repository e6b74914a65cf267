/**
 * GitHub OAuth (authorization-code flow), as documented at
 * docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps:
 * redirect to /login/oauth/authorize with `state`; on the callback, POST the code to
 * /login/oauth/access_token (errors come back as HTTP 200 with `{error, error_description}`),
 * then GET /user with the token. The user name is the GitHub login, lowercased. With allowed
 * organizations, membership is checked with /orgs/{org}/members/{user} (204 = member).
 */
import type { AuthenticatedUser, LoginStash, RedirectAuthenticator } from './authenticator.js';
import { normalizeUserName } from './authenticator.js';
import { OAuthCallbackError } from './errors.js';

export interface GitHubAuthenticatorOptions {
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  allowedOrganizations: string[];
  /** https://github.com, or a test fake's base URL. */
  webUrl: string;
  /** https://api.github.com, or a test fake's base URL. */
  apiUrl: string;
}

const USER_AGENT = 'coursehub';

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export class GitHubAuthenticator implements RedirectAuthenticator {
  readonly kind = 'redirect';
  readonly name = 'github';
  readonly buttonLabel = 'GitHub';

  constructor(private readonly options: GitHubAuthenticatorOptions) {}

  async startLogin(state: string): Promise<{ url: string; stash: LoginStash }> {
    const url = new URL(`${trimSlash(this.options.webUrl)}/login/oauth/authorize`);
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('redirect_uri', this.options.callbackUrl);
    // read:org lets the membership check see private memberships too.
    url.searchParams.set('scope', this.options.allowedOrganizations.length > 0 ? 'read:org' : '');
    url.searchParams.set('state', state);
    url.searchParams.set('allow_signup', 'false');
    return { url: url.toString(), stash: {} };
  }

  async finishLogin(callbackUrl: URL): Promise<AuthenticatedUser> {
    const error = callbackUrl.searchParams.get('error');
    if (error)
      throw new OAuthCallbackError(
        `GitHub did not sign you in: ${callbackUrl.searchParams.get('error_description') ?? error}.`,
        { hint: 'Try again, and approve the request on GitHub’s page.' },
      );
    const code = callbackUrl.searchParams.get('code');
    if (!code)
      throw new OAuthCallbackError('GitHub’s reply had no authorization code.', {
        hint: 'Start the login again.',
      });
    const token = await this.exchangeCode(code);
    const login = await this.fetchLogin(token);
    for (const org of this.options.allowedOrganizations)
      if (await this.isMember(token, org, login)) return { name: normalizeUserName(login) };
    if (this.options.allowedOrganizations.length > 0)
      throw new OAuthCallbackError(
        `GitHub user ${login} is not a member of ${this.options.allowedOrganizations.join(' or ')}.`,
        {
          hint: 'Ask the course staff to add you to the organization, or check that you granted it access on GitHub.',
        },
      );
    return { name: normalizeUserName(login) };
  }

  private async exchangeCode(code: string): Promise<string> {
    const response = await fetch(`${trimSlash(this.options.webUrl)}/login/oauth/access_token`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': USER_AGENT,
      },
      body: new URLSearchParams({
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        code,
        redirect_uri: this.options.callbackUrl,
      }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      error?: string;
      error_description?: string;
    };
    if (body.error) {
      const hint =
        body.error === 'bad_verification_code'
          ? 'The login link was used already or is too old. Start the login again.'
          : 'The hub’s GitHub OAuth settings look wrong (client id, secret or callback URL): tell the administrator.';
      throw new OAuthCallbackError(
        `GitHub refused the login: ${body.error_description ?? body.error} (${body.error}).`,
        { hint },
      );
    }
    if (!response.ok || !body.access_token)
      throw new OAuthCallbackError(
        `GitHub’s token endpoint answered HTTP ${response.status} without a token.`,
        {
          hint: 'Try again in a minute; if it persists, tell the administrator.',
        },
      );
    return body.access_token;
  }

  private async fetchLogin(token: string): Promise<string> {
    const response = await fetch(`${trimSlash(this.options.apiUrl)}/user`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'user-agent': USER_AGENT,
      },
    });
    const body = (await response.json().catch(() => ({}))) as { login?: unknown; message?: string };
    if (!response.ok || typeof body.login !== 'string')
      throw new OAuthCallbackError(
        `GitHub did not tell who you are (HTTP ${response.status}${body.message ? `: ${body.message}` : ''}).`,
        { hint: 'Start the login again.' },
      );
    return body.login;
  }

  private async isMember(token: string, org: string, login: string): Promise<boolean> {
    const response = await fetch(
      `${trimSlash(this.options.apiUrl)}/orgs/${encodeURIComponent(org)}/members/${encodeURIComponent(login)}`,
      {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.github+json',
          'user-agent': USER_AGENT,
        },
        // 302 means "you cannot see this org's members": not a yes.
        redirect: 'manual',
      },
    );
    await response.body?.cancel();
    return response.status === 204;
  }
}
