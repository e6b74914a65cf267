/**
 * Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and are not forwarded, plus any
 * header the Connection header names. Transfer-Encoding is left in place: Node re-frames the body
 * from it when piping, which is what keeps chunked uploads streaming.
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

export function isHopByHop(name: string, connectionTokens: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || connectionTokens.has(lower);
}

export function connectionTokens(connection: string | string[] | undefined): Set<string> {
  const value = Array.isArray(connection) ? connection.join(',') : (connection ?? '');
  return new Set(
    value
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== '' && token !== 'close' && token !== 'keep-alive'),
  );
}
