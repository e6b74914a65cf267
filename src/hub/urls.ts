/**
 * Every URL the hub serves or hands out, under `hub.baseUrl` (JupyterHub's base_url): the hub's
 * pages and API under BASE/hub/, users' servers under BASE/user/NAME/. Pages, redirects, form
 * actions, cookie paths, the proxy's routing and the servers' JUPYTERHUB_* variables all take
 * their paths from here, so a hub served under /jhub/ needs nothing else changed.
 */
import { CoursehubError } from '../util/errors.js';

export class BaseUrlError extends CoursehubError {}

/** '/', 'jhub', '/jhub' and '/jhub/' -> '/' or '/jhub/'. */
export function normalizeBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '/';
  if (/\/\/|\\|[?#%\s]|(^|\/)\.\.?(\/|$)/.test(trimmed))
    throw new BaseUrlError(`hub.baseUrl "${baseUrl}" is not a plain URL path.`, {
      hint: 'Use plain path segments such as /jhub/ (no "..", "%", "?", "#", "\\" or "//").',
    });
  return `/${trimmed}/`;
}

function relative(path: string): string {
  return path.replace(/^\/+/, '');
}

export class HubUrls {
  /** hub.baseUrl with a leading and a trailing slash: '/' or e.g. '/jhub/'. */
  readonly base: string;

  constructor(baseUrl: string) {
    this.base = normalizeBaseUrl(baseUrl);
  }

  /** A hub page or endpoint: hub('login') -> '/jhub/hub/login'; hub() -> '/jhub/hub/'. */
  hub(path = ''): string {
    return `${this.base}hub/${relative(path)}`;
  }

  /** The REST API: api('users') -> '/jhub/hub/api/users'; api() -> '/jhub/hub/api' (no slash). */
  api(path = ''): string {
    return path ? `${this.base}hub/api/${relative(path)}` : `${this.base}hub/api`;
  }

  /** The login page, coming back to `next` afterwards when given. */
  login(next?: string): string {
    return next === undefined ? this.hub('login') : `${this.hub('login')}?next=${encodeURIComponent(next)}`;
  }

  /** Where users' servers live: '/jhub/user/'. */
  get userPrefix(): string {
    return `${this.base}user/`;
  }

  /** A service's proxied prefix (JupyterHub's): service('culler') -> '/jhub/services/culler/'. */
  service(name: string): string {
    return `${this.base}services/${name}/`;
  }

  /**
   * A user's server, or a path in it: user('alice') -> '/jhub/user/alice/';
   * user('alice', '', 'tree') -> '/jhub/user/alice/tree'; a named server adds its segment.
   */
  user(name: string, serverName = '', path = ''): string {
    return `${this.userPrefix}${name}/${serverName ? `${serverName}/` : ''}${relative(path)}`;
  }
}
