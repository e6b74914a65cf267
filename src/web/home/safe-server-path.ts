/**
 * Where a browser may be sent after starting a server (`next`): only a path into that user's own
 * server, `/user/NAME/...` under hub.baseUrl, so that the spawn pages are neither an open
 * redirect nor a way to send someone into another user's server.
 *
 * What is returned is what was checked: a path a browser resolves to itself. Refused outright are
 * paths that normalisation would change (dot segments, also as `%2e`, which a browser reads as a
 * dot) and what browsers and servers read differently: backslashes, whitespace or control
 * characters, encoded slashes or backslashes in the path, or an empty segment (`//`).
 */
const PROBE_ORIGIN = 'http://coursehub.invalid';

export function safeServerPath(next: unknown, serverUrl: string): string {
  const fallback = `${serverUrl}tree`;
  if (typeof next !== 'string' || !next.startsWith(serverUrl)) return fallback;
  const pathPart = next.split(/[?#]/, 1)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  if (/[\\\s\u0000-\u001f\u007f]/.test(next) || /%(2e|2f|5c)/i.test(pathPart)) return fallback;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== PROBE_ORIGIN || !url.pathname.startsWith(serverUrl) || url.pathname.includes('//'))
    return fallback;
  return path === next ? path : fallback;
}
