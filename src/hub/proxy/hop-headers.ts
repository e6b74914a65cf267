/**
 * Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are not forwarded, plus any
 * header the Connection header names. Transfer-Encoding is left in place here: Node re-frames a
 * body from it (answers written back to the browser, websocket heads); the HTTP forwarder, whose
 * client frames the upstream body itself, drops it on the way in (request-headers.ts).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

/** Shared and never written to: what almost every request's Connection header comes down to. */
export const NO_TOKENS: ReadonlySet<string> = new Set();

export function isHopByHop(name: string, connectionTokens: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || connectionTokens.has(lower);
}

export function connectionTokens(connection: string | string[] | undefined): ReadonlySet<string> {
  // The common cases (no header, `keep-alive`, `close`) name no other header: no allocation.
  if (connection === undefined || connection === '') return NO_TOKENS;
  if (typeof connection === 'string') {
    const lower = connection.length <= 10 ? connection.toLowerCase() : '';
    if (lower === 'keep-alive' || lower === 'close') return NO_TOKENS;
  }
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  const tokens = value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '' && token !== 'close' && token !== 'keep-alive');
  return tokens.length === 0 ? NO_TOKENS : new Set(tokens);
}

/** Whether a Connection header asks for the connection to close after this message. */
export function saysClose(connection: string | string[] | undefined): boolean {
  return connection !== undefined && /(?:^|,)\s*close\s*(?:,|$)/i.test(String(connection));
}
