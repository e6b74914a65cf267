/**
 * The hub's OAuth clients, as JupyterHub registers them:
 * - each service: client id `oauthClientId` (default `service-NAME`), its API token as the
 *   secret, redirect `oauthRedirectUri` (default BASE/services/NAME/oauth_callback);
 * - each user server that runs: `jupyterhub-user-NAME` (named servers: `-SERVER` after it), the
 *   server's JUPYTERHUB_API_TOKEN as the secret, redirect BASE/user/NAME/[SERVER/]oauth_callback,
 *   the values the server was given in JUPYTERHUB_CLIENT_ID and JUPYTERHUB_OAUTH_CALLBACK_URL.
 * Clients are derived from the configuration and the running servers, never stored: a server
 * that stopped is no client any more.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ScopeTarget } from '../scopes.js';
import type { ServiceRegistry } from '../services/service-registry.js';
import { InvalidTokenError, type TokenService } from '../tokens/index.js';

export interface OauthClient {
  id: string;
  /** For the consent page: "Server at /user/alice/" or "Service echo". */
  description: string;
  redirectUri: string;
  /** Raw scopes the client may ask for on a user's behalf, besides identifying them. */
  allowedScopes: string[];
  /** JupyterHub's access scope of the client: who may log in to it at all. */
  access: { scope: 'access:servers' | 'access:services'; target: ScopeTarget; granted: string };
  /** Every logged-in user may, whatever their scopes (a service's `oauthAccess: all`). */
  openToAllUsers: boolean;
  /** The owner of a user-server client (no consent for them), or undefined. */
  serverOwner?: string;
  /** JupyterHub's oauth_no_confirm: a trusted service. */
  noConfirm: boolean;
  verifySecret(secret: string): Promise<boolean>;
}

/** What the clients read of the running servers. */
export interface RunningServers {
  /** Names of the user's servers that run or start ('' the default one). */
  serverNamesOf(userName: string): Promise<string[]>;
  publicUrl(userName: string, serverName?: string): string;
}

const USER_CLIENT_PREFIX = 'jupyterhub-user-';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export class OauthClients {
  constructor(
    private readonly services: ServiceRegistry,
    private readonly servers: RunningServers,
    private readonly tokens: TokenService,
  ) {}

  async find(clientId: string): Promise<OauthClient | undefined> {
    const service = this.services.byOauthClientId(clientId);
    if (service) {
      const apiToken = service.apiToken;
      return {
        id: clientId,
        description: `Service ${service.name}`,
        redirectUri: service.oauthRedirectUri,
        allowedScopes: service.oauthClientAllowedScopes,
        access: {
          scope: 'access:services',
          target: { service: service.name },
          granted: `access:services!service=${service.name}`,
        },
        openToAllUsers: service.oauthOpenToAllUsers,
        noConfirm: service.oauthNoConfirm,
        // A service without an API token has no secret, and so cannot finish a login (as in JupyterHub).
        verifySecret: async (secret) =>
          apiToken !== undefined && secret !== '' && sameSecret(secret, apiToken),
      };
    }
    if (clientId.startsWith(USER_CLIENT_PREFIX)) return this.userServerClient(clientId);
    return undefined;
  }

  /** `jupyterhub-user-NAME` or `jupyterhub-user-NAME-SERVER`: names hold "-", so try each split. */
  private async userServerClient(clientId: string): Promise<OauthClient | undefined> {
    const rest = clientId.slice(USER_CLIENT_PREFIX.length);
    const candidates: [string, string][] = [[rest, '']];
    for (let i = rest.indexOf('-'); i > 0; i = rest.indexOf('-', i + 1))
      candidates.push([rest.slice(0, i), rest.slice(i + 1)]);
    for (const [userName, serverName] of candidates) {
      if (!(await this.servers.serverNamesOf(userName)).includes(serverName)) continue;
      const prefix = this.servers.publicUrl(userName, serverName);
      return {
        id: clientId,
        description: `Server at ${prefix}`,
        redirectUri: `${prefix}oauth_callback`,
        allowedScopes: [],
        access: {
          scope: 'access:servers',
          target: { user: userName, server: `${userName}/${serverName}` },
          granted: `access:servers!server=${userName}/${serverName}`,
        },
        serverOwner: userName,
        openToAllUsers: false,
        noConfirm: false,
        verifySecret: async (secret) => {
          // The server's own JUPYTERHUB_API_TOKEN, as JupyterHub uses a server's api_token.
          try {
            const record = await this.tokens.resolve(secret);
            return record.kind === 'server' && record.owner.name === userName;
          } catch (error) {
            if (error instanceof InvalidTokenError) return false;
            throw error;
          }
        },
      };
    }
    return undefined;
  }
}
