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

/** What one Cookie header holds for the proxy: the hub session (if any) and the rest. */
interface CookieSplit {
  /** The session cookie's value, unquoted and decoded; undefined when there is none. */
  session: string | undefined;
  /** The header without any `coursehub-*` cookie, or undefined when nothing is left. */
  forServer: string | undefined;
}

/**
 * Split results by Cookie header: a browser sends the same header on every request, so it is
 * parsed once, not twice per request. Bounded in count and in header size (at most ~16 MB of
 * headers however many different ones a client makes up): emptied when full.
 */
const splits = new Map<string, CookieSplit>();
const MAX_SPLITS = 2_000;
const MAX_REMEMBERED_HEADER = 4_096;

function splitCookies(header: string): CookieSplit {
  const known = splits.get(header);
  if (known) return known;
  let session: string | undefined;
  const kept: string[] = [];
  for (const pair of cookiePairs(header)) {
    const name = cookieName(pair);
    if (name.startsWith(HUB_COOKIE_PREFIX)) {
      if (name === SESSION_COOKIE && session === undefined) session = sessionValue(pair);
    } else kept.push(pair);
  }
  const split = { session, forServer: kept.length === 0 ? undefined : kept.join('; ') };
  if (header.length <= MAX_REMEMBERED_HEADER) {
    if (splits.size >= MAX_SPLITS) splits.clear();
    splits.set(header, split);
  }
  return split;
}

function sessionValue(pair: string): string {
  const value = pair.slice(pair.indexOf('=') + 1).trim();
  const unquoted = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return decodeURIComponentSafe(unquoted);
}

/**
 * `Authorization: token T` / `bearer T` (JupyterHub accepts both), else `?token=T` in the query
 * (`search`, as sent: for websockets, which a browser script cannot give headers), else the
 * session cookie. An explicit token, valid or not, decides alone: a request that names a token
 * is judged as that token's, never as the cookie's that happens to come with it.
 */
export function credentialOf(headers: IncomingHttpHeaders, search = ''): Credential {
  const auth = headers.authorization;
  if (auth) {
    const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
    if (match?.[1]) return { kind: 'token', token: match[1] };
  }
  const fromQuery = search.includes('token=') ? queryToken(search) : undefined;
  if (fromQuery) return { kind: 'token', token: fromQuery };
  const session = headers.cookie ? splitCookies(headers.cookie).session : undefined;
  return session === undefined ? { kind: 'none' } : { kind: 'session', cookie: session };
}

/** The first non-empty `token` parameter of a query (`?a=1&token=T`), decoded. */
function queryToken(search: string): string | undefined {
  for (const part of search.slice(1).split('&')) {
    if (!part.startsWith('token=')) continue;
    const value = decodeURIComponentSafe(part.slice('token='.length).replace(/\+/g, ' ')).trim();
    if (value !== '') return value;
  }
  return undefined;
}

/**
 * The query without its `token` parameters, every other one exactly as sent: a hub API token is
 * the proxy's business and must not reach the user server (Jupyter would take it for its own).
 */
export function withoutTokenParameter(search: string): string {
  if (!search.includes('token=')) return search;
  const kept = search
    .slice(1)
    .split('&')
    .filter((part) => !part.startsWith('token=') && part !== 'token');
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

/**
 * Whether the Cookie header holds Jupyter's own login cookie for this Host: Jupyter names it
 * `username-HOST`, every character of HOST but letters and digits made a dash (notebook 6,
 * jupyter_server). A browser has it once a page of the server was opened.
 */
export function hasJupyterLogin(headers: IncomingHttpHeaders): boolean {
  const { cookie, host } = headers;
  if (!cookie || !host) return false;
  const forServer = splitCookies(cookie).forServer;
  if (!forServer) return false;
  const name = `username-${host}`.replace(/[^A-Za-z0-9]/g, '-');
  return forServer.startsWith(`${name}=`) || forServer.includes(`; ${name}=`);
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
  return header ? splitCookies(header).forServer : undefined;
}

/**
 * Whether a Set-Cookie value may reach the browser from a user server: not when it names a
 * `coursehub-*` cookie, and not when it has no name at all. A browser keeps `=a=b` (and `a`
 * without `=`) as a cookie with an empty name and sends it back as the bare `a=b` (RFC 6265bis
 * 5.6), so a nameless cookie can pose as any cookie, the hub's session included.
 */
function mayServerSetCookie(value: string): boolean {
  const pair = value.split(';')[0] ?? '';
  const eq = pair.indexOf('=');
  if (eq === -1) return false;
  const name = pair.slice(0, eq).trim();
  return name !== '' && !name.startsWith(HUB_COOKIE_PREFIX);
}

/**
 * Set-Cookie headers from a user server, without any that would set a `coursehub-*` cookie or a
 * nameless one: a user server must not be able to plant or overwrite a hub session in its
 * visitor's browser.
 */
export function withoutHubSetCookies(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values.filter(mayServerSetCookie);
}
