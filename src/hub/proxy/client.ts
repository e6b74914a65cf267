/**
 * The hub's client for the proxy's REST API (configurable-http-proxy's, plus revocations), as
 * JupyterHub's ConfigurableHTTPProxy class is: add_route / delete_route / get_all_routes /
 * check_routes. Route specs are JupyterHub's: `BASE/user/NAME/` with a trailing slash.
 *
 * The client remembers which user-server routes the hub asked for and has not withdrawn (the
 * server manager adds a route when a server is ready, re-adds it on re-attach, deletes it when
 * the server stops): that is the set a re-sync (`POST /hub/api/proxy`) restores on a proxy that
 * lost or gained routes behind the hub's back.
 */
import { tokenDigest, type Revocation } from './access-gate.js';
import { PROXY_INSTANCE_HEADER } from './api-server.js';
import { normalizeBaseUrl } from '../urls.js';
import { ProxyApiError } from './errors.js';
import type { RouteDescription } from './route-table.js';

export interface UserServerRoute {
  user: string;
  /** '' for the default server. */
  serverName?: string;
  /** Where the server listens, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The server's own token, added to every request the proxy lets through. */
  serverToken?: string;
}

/** A route as JupyterHub's `GET /hub/api/proxy` shows it. */
export interface ProxyRouteView {
  routespec: string;
  target: string;
  data: Record<string, unknown>;
}

/** What a re-sync changed on the proxy. */
export interface SyncResult {
  added: string[];
  removed: string[];
}

export class ProxyClient {
  private base: string;
  /** User-server routes the hub wants, by route spec. */
  private readonly wanted = new Map<string, UserServerRoute>();
  /** hub.baseUrl, normalized: user routes are `${hubBase}user/NAME/`. */
  private readonly hubBase: string;

  constructor(
    apiUrl: string,
    /** The secret, or a function giving it (read lazily, so building the hub app writes no file). */
    private secret: string | (() => string),
    /** hub.baseUrl: the user-server routes live under it. */
    hubBaseUrl = '/',
    private readonly timeoutMs = 5_000,
  ) {
    this.base = apiUrl.replace(/\/+$/, '');
    this.hubBase = normalizeBaseUrl(hubBaseUrl);
  }

  /** The route spec of a user's server under this hub's base URL. */
  routespecOf(user: string, serverName = ''): string {
    return userServerRoutespec(user, serverName, this.hubBase);
  }

  /** Whether a route path (as the proxy lists it) is one of a user's servers. */
  isUserServerPath(path: string): boolean {
    return path.startsWith(`${this.hubBase}user/`);
  }

  /** Where the proxy's API is and the secret it takes (JupyterHub's PATCH /hub/api/proxy). */
  get settings(): { apiUrl: string; secret: string | (() => string) } {
    return { apiUrl: this.base, secret: this.secret };
  }

  /** Points the client at another proxy API URL and/or secret; the routes it wants stay. */
  configure(settings: { apiUrl?: string; secret?: string | (() => string) }): void {
    if (settings.apiUrl !== undefined) this.base = settings.apiUrl.replace(/\/+$/, '');
    if (settings.secret !== undefined) this.secret = settings.secret;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `token ${typeof this.secret === 'string' ? this.secret : this.secret()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ProxyApiError(`The proxy API at ${this.base} cannot be reached.`, {
        hint: 'Is the proxy running? `coursehub start` starts it; see proxy.apiPort in the configuration.',
        cause: error,
      });
    }
    if (response.status === 403) {
      throw new ProxyApiError(`The proxy at ${this.base} refused the hub's secret.`, {
        hint: "Another proxy (or another hub's) holds that port; stop it, or give the hub and proxy the same secret (DATA_DIR/proxy_secret).",
      });
    }
    if (response.status >= 400) {
      const text = await response.text();
      throw new ProxyApiError(`The proxy API answered ${response.status} to ${method} ${path}: ${text}`);
    }
    return response;
  }

  /** True when a proxy that knows our secret answers on the API port. */
  async isRunning(): Promise<boolean> {
    return (await this.instance()) !== undefined;
  }

  /**
   * Which proxy process answers on the API port (a new value each time one starts; '' for a
   * proxy that does not say, such as configurable-http-proxy), or undefined when none answers.
   * Throws ProxyApiError when one answers but refuses our secret.
   */
  async instance(): Promise<string | undefined> {
    try {
      const response = await this.call(
        'GET',
        '/api/routes?inactive_since=' + encodeURIComponent(new Date(0).toISOString()),
      );
      await response.body?.cancel();
      return response.headers.get(PROXY_INSTANCE_HEADER) ?? '';
    } catch (error) {
      if (error instanceof ProxyApiError && /cannot be reached/.test(error.message)) return undefined;
      throw error;
    }
  }

  async addRoute(routespec: string, target: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.call('POST', `/api/routes${encodeRoutePath(routespec)}`, { ...data, target });
  }

  async deleteRoute(routespec: string): Promise<void> {
    await this.call('DELETE', `/api/routes${encodeRoutePath(routespec)}`);
  }

  /** Routes keyed by CHP path (no trailing slash); `inactiveSince` filters idle ones. */
  async getRoutes(inactiveSince?: Date): Promise<Record<string, RouteDescription>> {
    const query = inactiveSince ? `?inactive_since=${encodeURIComponent(inactiveSince.toISOString())}` : '';
    return (await (await this.call('GET', `/api/routes${query}`)).json()) as Record<string, RouteDescription>;
  }

  /** The routing table in JupyterHub's shape (for `GET /hub/api/proxy`). */
  async getAllRoutes(): Promise<Record<string, ProxyRouteView>> {
    const out: Record<string, ProxyRouteView> = {};
    for (const [path, { target, ...data }] of Object.entries(await this.getRoutes())) {
      const routespec = path === '/' ? '/' : `${path}/`;
      out[routespec] = { routespec, target, data };
    }
    return out;
  }

  /**
   * Adds (or replaces) the route to a user's server. It is remembered as wanted even when the
   * proxy cannot be reached now, so that a later re-sync adds it.
   */
  async addUserServer(route: UserServerRoute): Promise<void> {
    const routespec = this.routespecOf(route.user, route.serverName);
    this.wanted.set(routespec, route);
    await this.addRoute(routespec, route.url, {
      user: route.user,
      server_name: route.serverName ?? '',
      ...(route.serverToken ? { server_token: route.serverToken } : {}),
    });
  }

  async deleteUserServer(user: string, serverName = ''): Promise<void> {
    const routespec = this.routespecOf(user, serverName);
    this.wanted.delete(routespec);
    await this.deleteRoute(routespec);
  }

  /** The user-server routes the hub has asked for and not withdrawn. */
  wantedUserServers(): UserServerRoute[] {
    return [...this.wanted.values()];
  }

  /**
   * JupyterHub's check_routes: adds the wanted routes the proxy lacks (or has with another target
   * or owner) and deletes user-server routes nobody wants. Routes outside BASE/user/ (the hub's
   * default route, services) are left alone.
   */
  async syncUserServers(wanted: UserServerRoute[] = this.wantedUserServers()): Promise<SyncResult> {
    const present = await this.getRoutes();
    const result: SyncResult = { added: [], removed: [] };
    const wantedPaths = new Set<string>();
    for (const route of wanted) {
      const routespec = this.routespecOf(route.user, route.serverName);
      const path = routespec.replace(/\/$/, '');
      wantedPaths.add(path);
      const current = present[path];
      const target = new URL(route.url).href.replace(/\/$/, '');
      if (current?.target === target && current.user === route.user) continue;
      await this.addUserServer(route);
      result.added.push(routespec);
    }
    for (const path of Object.keys(present)) {
      if (!this.isUserServerPath(path) || wantedPaths.has(path)) continue;
      await this.deleteRoute(path);
      result.removed.push(`${path}/`);
    }
    return result;
  }

  /** Makes the proxy forget cached logins at once (logout, password change, token revoked). */
  async revoke(revocation: {
    sessions?: string[];
    tokens?: string[];
    tokenDigests?: string[];
    users?: string[];
  }): Promise<number> {
    const body: Revocation = {};
    if (revocation.sessions) body.sessions = revocation.sessions;
    const digests = [...(revocation.tokenDigests ?? []), ...(revocation.tokens ?? []).map(tokenDigest)];
    if (digests.length > 0) body.tokens = digests;
    if (revocation.users) body.users = revocation.users;
    const answer = (await (await this.call('POST', '/api/revocations', body)).json()) as { removed: number };
    return answer.removed;
  }
}

/**
 * JupyterHub's route spec for a server: `BASE/user/NAME/` (default) or `BASE/user/NAME/SERVER/`,
 * BASE being hub.baseUrl ('/' by default).
 */
export function userServerRoutespec(user: string, serverName = '', hubBaseUrl = '/'): string {
  const base = normalizeBaseUrl(hubBaseUrl);
  return serverName ? `${base}user/${user}/${serverName}/` : `${base}user/${user}/`;
}

function encodeRoutePath(routespec: string): string {
  const path = routespec.startsWith('/') ? routespec : `/${routespec}`;
  return path.split('/').map(encodeURIComponent).join('/');
}
