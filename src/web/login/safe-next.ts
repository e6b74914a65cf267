/**
 * Where to go after login. Only a path on this hub is accepted, so a crafted link
 * (`/hub/login?next=https://evil.example`) cannot turn our login page into a redirector.
 *
 * The check is made on what is returned, not on what came in: a URL parser normalises the path
 * (`/.//evil.example` and `/%2e//evil.example` become `//evil.example`, which a browser reads as
 * another host), so the normalised path is checked again before it is used.
 */
import type { HubUrls } from '../../hub/urls.js';

const PROBE_ORIGIN = 'http://coursehub.invalid';

/** The home page, where a login goes when `next` is missing or refused. */
export function defaultAfterLogin(urls: HubUrls): string {
  return urls.hub('home');
}

/**
 * A path a browser resolves on our own origin whatever page it is on: one "/" first, then
 * neither "/" nor "\" (`//host` and `/\host` are protocol-relative to browsers), and no control
 * character or backslash anywhere (browsers drop tabs and newlines and read "\" as "/", so
 * `/\t/host` is `//host` to them).
 */
function isPlainPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^\/(?![/\\])/.test(path) && !/[\\\u0000-\u001f\u007f]/.test(path);
}

export function safeNextPath(next: unknown, urls: HubUrls): string {
  const home = defaultAfterLogin(urls);
  if (typeof next !== 'string' || !isPlainPath(next)) return home;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return home;
  }
  if (url.origin !== PROBE_ORIGIN) return home;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!isPlainPath(path)) return home;
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
