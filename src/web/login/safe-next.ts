/**
 * Where to go after login. Only a path on this hub is accepted, so a crafted link
 * (`/hub/login?next=https://evil.example`) cannot turn our login page into a redirector.
 */
import type { HubUrls } from '../../hub/urls.js';

const PROBE_ORIGIN = 'http://coursehub.invalid';

/** The home page, where a login goes when `next` is missing or refused. */
export function defaultAfterLogin(urls: HubUrls): string {
  return urls.hub('home');
}

export function safeNextPath(next: unknown, urls: HubUrls): string {
  const home = defaultAfterLogin(urls);
  if (typeof next !== 'string' || !next.startsWith('/')) return home;
  // `//host` and `/\host` are protocol-relative to browsers; control characters and backslashes
  // are normalised differently by browsers and by URL parsers, so none of them is trusted.
  // eslint-disable-next-line no-control-regex
  if (next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return home;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return home;
  }
  if (url.origin !== PROBE_ORIGIN) return home;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Going "next" to the login or logout page again would loop or log the user straight out.
  const loginPages = ['login', 'logout', 'oauth_login', 'oauth_callback'].map((page) => urls.hub(page));
  if (loginPages.some((page) => new RegExp(`^${escapeRegExp(page)}\\b`).test(url.pathname))) return home;
  return path;
}

/** The login URL that comes back to `path` afterwards. */
export function loginUrlFor(path: string, urls: HubUrls): string {
  return urls.login(safeNextPath(path, urls));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
