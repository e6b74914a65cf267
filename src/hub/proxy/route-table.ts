/**
 * The proxy's routing table: path prefixes -> targets, matched by longest prefix on whole path
 * segments (so `/user/al` never matches a request for `/user/alice/...`), as
 * configurable-http-proxy does. Each route keeps the data the hub gave it (owner, server token)
 * and the time it last carried traffic, which the idle culler reads.
 */
import { normalizeBaseUrl } from '../urls.js';
import { InvalidRouteError } from './errors.js';

export interface RouteData {
  /** The user whose server this is; only they (and admins when allowed) may pass. */
  user?: string;
  /** The server's own token, added on the way in so that it never reaches a browser. */
  server_token?: string;
  [key: string]: unknown;
}

export interface Route {
  /** Normalized prefix: `/` or `/a/b` (no trailing slash). */
  path: string;
  target: URL;
  data: RouteData;
  /** ms since the epoch; a plain number so recording activity on every chunk stays cheap. */
  lastActivity: number;
}

/** What the API shows for a route (CHP's shape). The server token is never shown. */
export interface RouteDescription {
  target: string;
  last_activity: string;
  [key: string]: unknown;
}

/** `BASE/user/NAME`, capturing NAME; BASE is hub.baseUrl ('/' by default). */
function userPathPattern(baseUrl: string): RegExp {
  const base = normalizeBaseUrl(baseUrl).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}user/([^/]+)(?:/|$)`);
}

const ROOT_USER_PATH = userPathPattern('/');

/** `/user/alice/` -> `/user/alice`; `` and `/` -> `/`. Refuses anything that is not a clean path. */
export function normalizeRoutePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  const trimmed = withSlash.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  if (/\/\/|\\|%|\/\.\.?(\/|$)/.test(trimmed) || /[\s\0]/.test(trimmed)) {
    throw new InvalidRouteError(`Route path "${path}" is not a clean path.`, {
      hint: 'Use plain segments such as /user/NAME/ (no "..", "%", "\\" or "//").',
    });
  }
  return trimmed;
}

/** Where to connect for a route's target: the host without IPv6 brackets, and the port. */
export function socketAddressOf(target: URL): { host: string; port: number } {
  return { host: target.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(target.port || 80) };
}

/**
 * The owner a route's path implies: `/user/alice/...` -> `alice` (under hub.baseUrl when the
 * table has one, e.g. `/jhub/user/alice/...`); other paths have none.
 */
export function ownerFromPath(path: string, pattern: RegExp = ROOT_USER_PATH): string | undefined {
  return pattern.exec(path)?.[1];
}

export class RouteTable {
  private readonly routes = new Map<string, Route>();
  private readonly userPath: RegExp;

  /** `baseUrl`: hub.baseUrl, under which `user/NAME/` paths belong to NAME. */
  constructor(baseUrl = '/') {
    this.userPath = userPathPattern(baseUrl);
  }

  /** The owner a request or route path implies, under this table's base URL. */
  ownerOf(path: string): string | undefined {
    return ownerFromPath(path, this.userPath);
  }

  add(path: string, target: string, data: RouteData = {}): Route {
    const prefix = normalizeRoutePath(path);
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new InvalidRouteError(`Route target "${target}" is not a URL.`, {
        hint: 'Give an absolute http:// URL such as http://127.0.0.1:9000.',
      });
    }
    if (url.protocol !== 'http:') {
      throw new InvalidRouteError(`Route target "${target}" must be an http:// URL.`, {
        hint: 'User servers listen on loopback over plain HTTP; TLS ends at the proxy.',
      });
    }
    // The owner is fixed by the path: a route under /user/bob/ can never be opened to alice by
    // a mistaken `user` field, and a route there without a `user` field still has an owner.
    const pathOwner = this.ownerOf(prefix + '/');
    if (pathOwner !== undefined && data.user !== undefined && data.user !== pathOwner) {
      throw new InvalidRouteError(
        `Route ${prefix} belongs to ${pathOwner}, but its data names user "${data.user}".`,
        { hint: 'The user field must match the NAME in /user/NAME/.' },
      );
    }
    const owned = pathOwner === undefined ? data : { ...data, user: pathOwner };
    const route: Route = { path: prefix, target: url, data: owned, lastActivity: Date.now() };
    this.routes.set(prefix, route);
    return route;
  }

  remove(path: string): boolean {
    return this.routes.delete(normalizeRoutePath(path));
  }

  get(path: string): Route | undefined {
    return this.routes.get(normalizeRoutePath(path));
  }

  /**
   * The route with the longest prefix of `path` (an already normalized request path). Walks up
   * one segment at a time: at most as many map lookups as the path has segments.
   */
  match(path: string): Route | undefined {
    let candidate = path.length > 1 ? path.replace(/\/+$/, '') : '/';
    while (true) {
      const route = this.routes.get(candidate);
      if (route) return route;
      if (candidate === '/') return undefined;
      const cut = candidate.lastIndexOf('/');
      candidate = cut <= 0 ? '/' : candidate.slice(0, cut);
    }
  }

  /** Every route (optionally only those idle since `inactiveSince`), as the API shows them. */
  describe(inactiveSince?: Date): Record<string, RouteDescription> {
    const out: Record<string, RouteDescription> = {};
    for (const route of this.routes.values()) {
      if (inactiveSince && route.lastActivity >= inactiveSince.getTime()) continue;
      const { server_token: _token, ...shown } = route.data;
      out[route.path] = {
        ...shown,
        target: route.target.origin + route.target.pathname.replace(/\/$/, ''),
        last_activity: new Date(route.lastActivity).toISOString(),
      };
    }
    return out;
  }

  get size(): number {
    return this.routes.size;
  }
}
