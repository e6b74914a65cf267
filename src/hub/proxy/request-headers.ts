/**
 * The headers a forwarded request carries upstream: the client's, minus hop-by-hop ones and the
 * proxy's own `x-coursehub-*` channel to the hub, with the credential rewrite applied (the
 * server's token in, the hub's cookies out) and X-Forwarded-For/Proto/Host/Port set from the
 * connection. Whatever a client sent in those (and in Forwarded and X-Real-IP) is dropped, not
 * appended to: the hub trusts exactly one hop, this proxy, so a client that could choose them
 * would choose its own address (and escape the hub's per-address login limit).
 *
 * One set of rules for every forwarder: a flat name/value list built straight from `rawHeaders`
 * (one pass, no intermediate object, duplicates kept as sent), and the request head as text for
 * the two forwarders that write it on a socket themselves (fast lane, websockets).
 */
import type http from 'node:http';
import { connectionTokens, isHopByHop } from './hop-headers.js';

export interface ForwardRewrite {
  /** Replaces the Authorization header (undefined: the header is removed). */
  authorization?: string | undefined;
  /** Replaces the Cookie header (undefined: the header is removed). */
  cookie?: string | undefined;
  /** Filters Set-Cookie headers of the answer. */
  filterSetCookie?: (values: string[] | undefined) => string[] | undefined;
  /** Replaces the Origin header (the proxy checked the client's; see cross-site.ts). */
  origin?: string;
  /** Added to the answer (name, value, ...): the proxy's own, such as HSTS over https. */
  answerHeaders?: readonly string[];
}

/** What the header rules read of a request: node:http's message, or the fast lane's head. */
export interface ForwardedSource {
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  /** `encrypted` is set on a TLS socket: the proxy serving https itself. */
  socket: { remoteAddress?: string | undefined; localPort?: number | undefined; encrypted?: boolean };
}

/** What only the proxy may say about the connection: a client's copies are dropped. */
const SET_BY_PROXY = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
]);

/**
 * By default for an upstream client that frames the body itself: Transfer-Encoding and Expect
 * are dropped too (the body is re-framed from the stream, and Node's server has already answered
 * any `Expect: 100-continue`), so neither can describe a body other than the one sent. With
 * `upgrade`, for a websocket whose bytes are piped as they came, those stay, and so do Upgrade
 * and Connection, which the upgrade needs.
 */
export function forwardedHeaderList(
  request: ForwardedSource,
  rewrite: ForwardRewrite | undefined,
  upgrade = false,
): string[] {
  const raw = request.rawHeaders;
  const tokens = connectionTokens(request.headers.connection);
  const replaceAuthorization = rewrite !== undefined && 'authorization' in rewrite;
  const replaceCookie = rewrite !== undefined && 'cookie' in rewrite;
  const origin = rewrite?.origin;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    switch (name) {
      case 'transfer-encoding':
      case 'expect':
        if (!upgrade) continue;
        break;
      case 'upgrade':
      case 'connection':
        if (!upgrade) continue;
        break;
      case 'authorization':
        if (replaceAuthorization) continue;
        break;
      case 'cookie':
        if (replaceCookie) continue;
        break;
      case 'origin':
        if (origin !== undefined) continue;
        break;
      default:
        // The proxy's own headers to the hub (secret, credential to check) never come from
        // outside, and neither does what the proxy says about the connection.
        if (name.startsWith('x-coursehub-') || SET_BY_PROXY.has(name) || isHopByHop(name, tokens)) continue;
    }
    out.push(name, raw[i + 1]!);
  }
  if (replaceAuthorization && rewrite.authorization !== undefined)
    out.push('authorization', rewrite.authorization);
  if (replaceCookie && rewrite.cookie !== undefined) out.push('cookie', rewrite.cookie);
  if (origin !== undefined) out.push('origin', origin);
  // https when the proxy holds the certificate itself; behind a TLS front it is told nothing
  // it could trust, so http (the hub then knows https from hub.publicUrl).
  const { remoteAddress, localPort, encrypted } = request.socket;
  out.push(
    'x-forwarded-for',
    remoteAddress ?? '',
    'x-forwarded-proto',
    encrypted === true ? 'https' : 'http',
  );
  const host = request.headers.host;
  if (host) out.push('x-forwarded-host', host);
  if (localPort !== undefined) out.push('x-forwarded-port', String(localPort));
  return out;
}

/**
 * The request head as written on the upstream socket. Its values cannot hold a line break: the
 * client's have passed an HTTP parser (node:http's, or http1-head.ts), and the proxy's own are
 * the route's server token (checked for printable ASCII when the route is added), a part of the
 * client's Cookie header, the client's address and its checked Host.
 */
export function requestHeadText(method: string, path: string, fields: readonly string[]): string {
  let text = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
  return `${text}\r\n`;
}
