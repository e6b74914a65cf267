/**
 * A local stand-in for GitHub's OAuth web flow and the few REST endpoints the GitHub
 * authenticator calls, following GitHub's documented request and response shapes
 * (docs.github.com: "Authorizing OAuth apps", REST "users" and "orgs/members"):
 *
 * - GET  /login/oauth/authorize: the user (set with `signIn`) approves at once and is sent to the
 *   redirect_uri with `code` and `state`; a redirect_uri outside the registered callback sends
 *   `error=redirect_uri_mismatch` to the registered callback; `denyNext()` makes the user press
 *   "Cancel" (`error=access_denied`).
 * - POST /login/oauth/access_token: form or JSON body; answers JSON with `Accept:
 *   application/json`, else form-encoded. Errors are HTTP 200 with `{error, error_description,
 *   error_uri}`: incorrect_client_credentials, redirect_uri_mismatch, bad_verification_code.
 *   Codes are single use and expire after 10 minutes.
 * - GET /user (`Authorization: Bearer|token`): 401 `{"message":"Bad credentials", ...}` for an
 *   unknown token.
 * - GET /orgs/{org}/members/{user}: 204 member, 404 not a member, 302 when the requester is not a
 *   member of the org itself.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHubUser {
  login: string;
  id: number;
  orgs: string[];
}

export interface FakeGitHubOptions {
  clientId: string;
  clientSecret: string;
  /** The OAuth app's registered "Authorization callback URL". */
  callbackUrl: string;
}

const DOCS =
  'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

export class FakeGitHub {
  url = '';
  readonly users = new Map<string, FakeGitHubUser>();
  private server: Server | undefined;
  private signedIn: string | null = null;
  private deny = false;
  private readonly codes = new Map<
    string,
    { login: string; clientId: string; redirectUri: string; expires: number }
  >();
  private readonly tokens = new Map<string, string>();
  /** Every request seen, for assertions on what the client sent. */
  readonly requests: Array<{
    method: string;
    path: string;
    headers: IncomingMessage['headers'];
    body: string;
  }> = [];

  constructor(readonly options: FakeGitHubOptions) {}

  addUser(login: string, orgs: string[] = []): void {
    this.users.set(login, { login, id: 1000 + this.users.size, orgs });
  }

  /** The GitHub account signed in in "the browser" that visits /login/oauth/authorize. */
  signIn(login: string): void {
    this.signedIn = login;
  }

  denyNext(): void {
    this.deny = true;
  }

  revokeAllTokens(): void {
    this.tokens.clear();
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        this.handle(req, res, body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private json(res: ServerResponse, status: number, value: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  }

  private redirect(res: ServerResponse, location: string): void {
    res.writeHead(302, { location });
    res.end();
  }

  /** GitHub accepts a redirect_uri on the registered host and port whose path is under the registered one. */
  private redirectAllowed(redirectUri: string): boolean {
    try {
      const given = new URL(redirectUri);
      const registered = new URL(this.options.callbackUrl);
      return given.origin === registered.origin && given.pathname.startsWith(registered.pathname);
    } catch {
      return false;
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/login/oauth/authorize') return this.authorize(url, res);
    if (req.method === 'POST' && path === '/login/oauth/access_token')
      return this.accessToken(req, res, body);
    if (req.method === 'GET' && path === '/user') return this.user(req, res);
    const members = /^\/orgs\/([^/]+)\/members\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && members)
      return this.membership(req, res, decodeURIComponent(members[1]!), decodeURIComponent(members[2]!));
    this.json(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  private authorize(url: URL, res: ServerResponse): void {
    const params = url.searchParams;
    if (params.get('client_id') !== this.options.clientId) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>404</h1>');
      return;
    }
    const state = params.get('state') ?? '';
    const redirectUri = params.get('redirect_uri') ?? this.options.callbackUrl;
    if (!this.redirectAllowed(redirectUri)) {
      const back = new URL(this.options.callbackUrl);
      back.searchParams.set('error', 'redirect_uri_mismatch');
      back.searchParams.set(
        'error_description',
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
      back.searchParams.set('error_uri', `${DOCS}#redirect-uri-mismatch`);
      back.searchParams.set('state', state);
      return this.redirect(res, back.toString());
    }
    const back = new URL(redirectUri);
    if (this.deny) {
      this.deny = false;
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
      back.searchParams.set('error_uri', `${DOCS}#access-denied`);
      back.searchParams.set('state', state);
      return this.redirect(res, back.toString());
    }
    if (!this.signedIn) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<h1>Sign in to GitHub</h1>');
      return;
    }
    const code = randomBytes(10).toString('hex');
    this.codes.set(code, {
      login: this.signedIn,
      clientId: this.options.clientId,
      redirectUri,
      expires: Date.now() + 10 * 60 * 1000,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    this.redirect(res, back.toString());
  }

  private accessToken(req: IncomingMessage, res: ServerResponse, body: string): void {
    const contentType = req.headers['content-type'] ?? '';
    const params: Record<string, string> = contentType.includes('application/json')
      ? (JSON.parse(body || '{}') as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(body));
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const answer = (value: Record<string, string>) => {
      if (wantsJson) return this.json(res, 200, value);
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
      res.end(new URLSearchParams(value).toString());
    };
    if (params.client_id !== this.options.clientId || params.client_secret !== this.options.clientSecret)
      return answer({
        error: 'incorrect_client_credentials',
        error_description: 'The client_id and/or client_secret passed are incorrect.',
        error_uri: `${DOCS}#incorrect-client-credentials`,
      });
    const grant = this.codes.get(params.code ?? '');
    if (params.redirect_uri && grant && params.redirect_uri !== grant.redirectUri)
      return answer({
        error: 'redirect_uri_mismatch',
        error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
        error_uri: `${DOCS}#redirect-uri-mismatch2`,
      });
    if (!grant || grant.expires < Date.now() || grant.clientId !== params.client_id)
      return answer({
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
        error_uri: `${DOCS}#bad-verification-code`,
      });
    this.codes.delete(params.code!);
    const token = `gho_${randomBytes(18).toString('hex')}`;
    this.tokens.set(token, grant.login);
    answer({ access_token: token, token_type: 'bearer', scope: 'read:org' });
  }

  private requester(req: IncomingMessage): FakeGitHubUser | null {
    const match = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const login = match ? this.tokens.get(match[1]!) : undefined;
    return login ? (this.users.get(login) ?? null) : null;
  }

  private badCredentials(res: ServerResponse): void {
    this.json(res, 401, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  }

  private user(req: IncomingMessage, res: ServerResponse): void {
    const user = this.requester(req);
    if (!user) return this.badCredentials(res);
    this.json(res, 200, {
      login: user.login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: 'User',
      site_admin: false,
    });
  }

  private membership(req: IncomingMessage, res: ServerResponse, org: string, login: string): void {
    const requester = this.requester(req);
    if (!requester) return this.badCredentials(res);
    if (!requester.orgs.includes(org))
      return this.redirect(res, `${this.url}/orgs/${org}/public_members/${login}`);
    const member = this.users.get(login)?.orgs.includes(org) ?? false;
    if (member) {
      res.writeHead(204);
      res.end();
      return;
    }
    this.json(res, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    });
  }
}
