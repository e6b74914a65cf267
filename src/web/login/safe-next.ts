/**
 * Where to go after login. Only a path on this hub is accepted, so a crafted link
 * (`/hub/login?next=https://evil.example`) cannot turn our login page into a redirector.
 */
const PROBE_ORIGIN = 'http://coursehub.invalid';
export const DEFAULT_AFTER_LOGIN = '/hub/home';

export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return DEFAULT_AFTER_LOGIN;
  // `//host` and `/\host` are protocol-relative to browsers; control characters and backslashes
  // are normalised differently by browsers and by URL parsers, so none of them is trusted.
  // eslint-disable-next-line no-control-regex
  if (next.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(next)) return DEFAULT_AFTER_LOGIN;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
  if (url.origin !== PROBE_ORIGIN) return DEFAULT_AFTER_LOGIN;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Going "next" to the login or logout page again would loop or log the user straight out.
  if (/^\/hub\/(login|logout|oauth_login|oauth_callback)\b/.test(url.pathname)) return DEFAULT_AFTER_LOGIN;
  return path;
}

/** The login URL that comes back to `path` afterwards. */
export function loginUrlFor(path: string): string {
  return `/hub/login?next=${encodeURIComponent(safeNextPath(path))}`;
}
