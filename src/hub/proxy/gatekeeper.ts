/**
 * What the proxy does with one request (plain HTTP or websocket upgrade), decided before any
 * byte goes anywhere: refuse a tricky path or Host, send a stopped server's visitor to the hub,
 * check the credential of anyone going to a user's server, refuse what another site made a
 * browser send there (cross-site.ts), and say how to rewrite the request (the server's own
 * token in, the hub's cookies and any `?token=` out).
 *
 * The server's token goes in where Jupyter needs it and no further: with an explicit token, and
 * on reads. A browser's writes and websockets, once the browser holds Jupyter's own login cookie
 * (set by the first read), go cookie-authenticated, so that Jupyter's own XSRF and origin checks
 * run as a second line behind the proxy's.
 */
import type { IncomingMessage } from 'node:http';
import type { AccessGate, GateResult } from './access-gate.js';
import {
  credentialOf,
  hasJupyterLogin,
  withoutHubCookies,
  withoutHubSetCookies,
  withoutTokenParameter,
  type Credential,
} from './credentials.js';
import { crossSiteCheck, type CrossSiteVerdict } from './cross-site.js';
import { HubUrls } from '../urls.js';
import { UnsafePathError } from './errors.js';
import type { ForwardRewrite } from './forward-http.js';
import { canonicalizeTarget } from './request-path.js';
import type { Route, RouteTable } from './route-table.js';

/** What the verdict reads of a request: node:http's message, or the fast lane's head. */
export type JudgedRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

export type Verdict =
  | { kind: 'forward'; route: Route; pathAndQuery: string; rewrite?: ForwardRewrite }
  | { kind: 'answer'; status: number; message: string; headers?: Record<string, string> }
  | { kind: 'redirect'; location: string };

export interface GatekeeperOptions {
  routes: RouteTable;
  gate: AccessGate;
  /** hub.baseUrl as browsers see it, e.g. `/` or `/jhub/`: the hub's pages are under BASE/hub/. */
  baseUrl: string;
  /** hub.publicUrl: its origin is the hub's own too (behind a TLS front). */
  publicUrl?: string | undefined;
  /** The public listener serves https itself: the hub's own origin is https://HOST. */
  tls?: boolean;
}

/** Requests that change nothing: Jupyter is told who it is by the server's token. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request to a user's server as far as it was judged before the hub's answer. */
interface Judged {
  credential: Credential;
  site: CrossSiteVerdict;
  request: JudgedRequest;
  route: Route;
  pathAndQuery: string;
  isUpgrade: boolean;
}

// A Host header is a hostname or IP literal with an optional port, nothing more: anything else
// (paths, userinfo, spaces) is someone probing how the proxy or a server builds URLs from it.
export const VALID_HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function createGatekeeper(options: GatekeeperOptions) {
  const { routes, gate } = options;
  const urls = new HubUrls(options.baseUrl);
  const hubPrefix = urls.hub();

  /**
   * The verdict, synchronously when the login answer is cached (the common case: no promise per
   * request), else a promise of it once the hub has answered.
   */
  return function judge(request: JudgedRequest, isUpgrade: boolean): Verdict | Promise<Verdict> {
    const host = request.headers.host;
    if (host !== undefined && !VALID_HOST.test(host)) {
      return { kind: 'answer', status: 400, message: 'Refused request: malformed Host header.' };
    }
    let path: string;
    let search: string;
    try {
      ({ path, search } = canonicalizeTarget(request.url ?? ''));
    } catch (error) {
      if (error instanceof UnsafePathError) return { kind: 'answer', status: 400, message: error.message };
      throw error;
    }
    const route = routes.match(path);
    const owner = routes.ownerOf(path);
    if (owner !== undefined && route?.data.user !== owner)
      return serverNotRunning(request, owner, path, search, isUpgrade);
    if (!route) return { kind: 'answer', status: 404, message: `No route for ${path}.` };
    // A service checks its callers itself (HubAuth) and never sees the hub's own cookies, which
    // would let it act as whoever visits it.
    if (route.data.service !== undefined && route.data.user === undefined)
      return {
        kind: 'forward',
        route,
        pathAndQuery: path + search,
        rewrite: { cookie: withoutHubCookies(request.headers.cookie), filterSetCookie: withoutHubSetCookies },
      };
    if (route.data.user === undefined) return { kind: 'forward', route, pathAndQuery: path + search };

    const credential = credentialOf(request.headers, search);
    // A request of another site's making is refused before the hub is asked about its cookie.
    const site =
      credential.kind === 'session' ? crossSiteCheck(request, isUpgrade, route.data.user, options) : {};
    if (site.refused !== undefined) return { kind: 'answer', status: 403, message: site.refused };
    const pathAndQuery = path + withoutTokenParameter(search);
    // The route's own server: a named server's route (`/user/NAME/SERVER`) says which it is.
    const serverName = typeof route.data.server_name === 'string' ? route.data.server_name : '';
    const result = gate.check(credential, route.data.user, serverName);
    const judged: Judged = { credential, site, request, route, pathAndQuery, isUpgrade };
    return result instanceof Promise
      ? result.then((settled) => verdictOf(settled, judged))
      : verdictOf(result, judged);
  };

  /** The server's token, unless a browser's write can go cookie-authenticated (see above). */
  function serverAuthorization({ route, credential, request, isUpgrade }: Judged): string | undefined {
    const token = route.data.server_token;
    if (typeof token !== 'string') return undefined;
    const browserWrite = credential.kind === 'session' && (isUpgrade || !READS.has(request.method ?? 'GET'));
    return browserWrite && hasJupyterLogin(request.headers) ? undefined : `token ${token}`;
  }

  function verdictOf(result: GateResult, judged: Judged): Verdict {
    const { request, route, pathAndQuery, isUpgrade } = judged;
    switch (result.status) {
      case 'allowed': {
        const rewrite: ForwardRewrite = {
          authorization: serverAuthorization(judged),
          cookie: withoutHubCookies(request.headers.cookie),
          filterSetCookie: withoutHubSetCookies,
        };
        if (judged.site.originForServer !== undefined) rewrite.origin = judged.site.originForServer;
        return { kind: 'forward', route, pathAndQuery, rewrite };
      }
      case 'unauthenticated':
        if (!isUpgrade && (request.method === 'GET' || request.method === 'HEAD')) {
          return { kind: 'redirect', location: `${hubPrefix}login?next=${encodeURIComponent(pathAndQuery)}` };
        }
        return { kind: 'answer', status: 403, message: 'Log in to the hub first.' };
      case 'denied':
        return {
          kind: 'answer',
          status: 403,
          message: `This is ${route.data.user}'s server${namedServerOf(route)}; you are logged in as ${result.user ?? 'nobody'}.`,
        };
      case 'hub-unreachable':
        return {
          kind: 'answer',
          status: 503,
          message: 'The hub is restarting and could not confirm your login. Try again in a few seconds.',
          headers: { 'retry-after': '5' },
        };
    }
  }

  function serverNotRunning(
    request: JudgedRequest,
    owner: string,
    path: string,
    search: string,
    isUpgrade: boolean,
  ): Verdict {
    // As JupyterHub does: a browser is sent to the hub's BASE/hub/user/NAME/... page, which
    // offers to start the server (and, once it runs, sends the browser back here).
    if (!isUpgrade && (request.method === 'GET' || request.method === 'HEAD')) {
      return {
        kind: 'redirect',
        location: `${hubPrefix}user/${owner}${path.slice(`${urls.userPrefix}${owner}`.length)}${search}`,
      };
    }
    return {
      kind: 'answer',
      status: 503,
      message: `${owner}'s server is not running. Start it from ${hubPrefix}home.`,
    };
  }
}

export type Judge = ReturnType<typeof createGatekeeper>;

/** ` 'x'` for a named server's route, '' for a default server's. */
function namedServerOf(route: Route): string {
  return typeof route.data.server_name === 'string' && route.data.server_name !== ''
    ? ` '${route.data.server_name}'`
    : '';
}
