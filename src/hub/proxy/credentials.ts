/**
 * What a request to a user server carries as proof of who sent it, and the header surgery that
 * keeps the hub's credentials away from user servers.
 *
 * Cookie headers are split by hand (a few lines) instead of with the `cookie` package because
 * the proxy must rebuild the header with some pairs removed and every other pair byte-for-byte
 * unchanged (Jupyter's own `_xsrf` and login cookies); a parse/serialize round trip would not
 * guarantee that.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'coursehub-session';
/** Every cookie the hub sets starts with this; none of them may reach a user server. */
const HUB_COOKIE_PREFIX = 'coursehub-';

export type Credential =
  { kind: 'session'; cookie: string } | { kind: 'token'; token: string } | { kind: 'none' };

function cookiePairs(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair !== '');
}

function cookieName(pair: string): string {
  const eq = pair.indexOf('=');
  return (eq === -1 ? pair : pair.slice(0, eq)).trim();
}

/** `Authorization: token T` / `bearer T` (JupyterHub accepts both), else the session cookie. */
export function credentialOf(headers: IncomingHttpHeaders): Credential {
  const auth = headers.authorization;
  if (auth) {
    const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return { kind: 'token', token: match[1] };
  }
  for (const pair of cookiePairs(headers.cookie)) {
    if (cookieName(pair) === SESSION_COOKIE) {
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const unquoted = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
      return { kind: 'session', cookie: decodeURIComponentSafe(unquoted) };
    }
  }
  return { kind: 'none' };
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The Cookie header without any `coursehub-*` cookie, or undefined when nothing is left. */
export function withoutHubCookies(header: string | undefined): string | undefined {
  const kept = cookiePairs(header).filter((pair) => !cookieName(pair).startsWith(HUB_COOKIE_PREFIX));
  return kept.length === 0 ? undefined : kept.join('; ');
}

/**
 * Set-Cookie headers from a user server, without any that would set a `coursehub-*` cookie:
 * a user server must not be able to plant or overwrite a hub session in its visitor's browser.
 */
export function withoutHubSetCookies(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.filter((value) => !cookieName(value.split(';')[0] ?? '').startsWith(HUB_COOKIE_PREFIX));
}
