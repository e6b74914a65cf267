/**
 * The headers of a user server's (or the hub's) answer as the proxy passes them back: minus
 * hop-by-hop ones and any the answer's Connection header names, and with Set-Cookie filtered
 * where the route asks for it (a user server may not set or clear the hub's cookies).
 * Shared by both forwarders, so an answer looks the same whichever lane carried it.
 */
import { connectionTokens, isHopByHop, NO_TOKENS } from './hop-headers.js';

/**
 * `raw`: names and values alternating, as received. Returns the same shape. With `upgrade` (the
 * answer to a websocket upgrade) Connection and Upgrade stay, which a 101 needs.
 */
export function returnedHeaderList(
  raw: readonly string[],
  filterSetCookie: ((values: string[] | undefined) => string[] | undefined) | undefined,
  upgrade = false,
): string[] {
  let headers: string[] = [];
  let connection: string | undefined;
  let cookies: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      connection = connection === undefined ? value : `${connection}, ${value}`;
      if (upgrade) headers.push(name, value);
    } else if (upgrade && lower === 'upgrade') headers.push(name, value);
    else if (isHopByHop(lower, NO_TOKENS)) continue;
    else if (lower === 'set-cookie' && filterSetCookie) (cookies ??= []).push(value);
    else headers.push(name, value);
  }
  const tokens = connectionTokens(connection);
  if (tokens.size > 0)
    headers = headers.filter((_, i) => {
      const lower = headers[i - (i % 2)]!.toLowerCase();
      return !tokens.has(lower) || (upgrade && (lower === 'connection' || lower === 'upgrade'));
    });
  if (cookies) for (const cookie of filterSetCookie!(cookies) ?? []) headers.push('set-cookie', cookie);
  return headers;
}
