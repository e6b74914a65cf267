/**
 * The headers a forwarded request carries upstream: the client's, minus hop-by-hop ones and the
 * proxy's own `x-coursehub-*` channel to the hub, with the credential rewrite applied (the
 * server's token in, the hub's cookies out) and the X-Forwarded-* trio added.
 *
 * Two shapes of the same rules: a flat name/value list built straight from `rawHeaders` for the
 * HTTP forwarder (one pass, no intermediate object, duplicates kept as sent), and an object for
 * the websocket forwarder, which writes its request head itself.
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
}

/** What the header rules read of a request: node:http's message, or the fast lane's head. */
export interface ForwardedSource {
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

function forwardedFor(request: ForwardedSource): string {
  const client = request.socket.remoteAddress ?? '';
  const previous = request.headers['x-forwarded-for'];
  return previous ? `${String(previous)}, ${client}` : client;
}

/**
 * For an upstream client that frames the body itself: Transfer-Encoding and Expect are dropped
 * too (the body is re-framed from the stream, and Node's server has already answered any
 * `Expect: 100-continue`), so neither can describe a body other than the one sent.
 */
export function forwardedHeaderList(request: ForwardedSource, rewrite: ForwardRewrite | undefined): string[] {
  const raw = request.rawHeaders;
  const tokens = connectionTokens(request.headers.connection);
  const replaceAuthorization = rewrite !== undefined && 'authorization' in rewrite;
  const replaceCookie = rewrite !== undefined && 'cookie' in rewrite;
  const out: string[] = [];
  let hasProto = false;
  let hasForwardedHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    switch (name) {
      case 'transfer-encoding':
      case 'expect':
      case 'x-forwarded-for':
        continue;
      case 'authorization':
        if (replaceAuthorization) continue;
        break;
      case 'cookie':
        if (replaceCookie) continue;
        break;
      case 'x-forwarded-proto':
        hasProto = true;
        break;
      case 'x-forwarded-host':
        hasForwardedHost = true;
        break;
      default:
        // The proxy's own headers to the hub (secret, credential to check) never come from outside.
        if (name.startsWith('x-coursehub-') || isHopByHop(name, tokens)) continue;
    }
    out.push(name, raw[i + 1]!);
  }
  if (replaceAuthorization && rewrite.authorization !== undefined)
    out.push('authorization', rewrite.authorization);
  if (replaceCookie && rewrite.cookie !== undefined) out.push('cookie', rewrite.cookie);
  out.push('x-forwarded-for', forwardedFor(request));
  if (!hasProto) out.push('x-forwarded-proto', 'http');
  const host = request.headers.host;
  if (!hasForwardedHost && host) out.push('x-forwarded-host', host);
  return out;
}

/** The same rules as an object; `keepUpgrade` keeps Upgrade and Connection for a websocket. */
export function forwardedHeaders(
  request: http.IncomingMessage,
  rewrite: ForwardRewrite | undefined,
  keepUpgrade: boolean,
): http.OutgoingHttpHeaders {
  const tokens = connectionTokens(request.headers.connection);
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (isHopByHop(name, tokens) && !(keepUpgrade && (name === 'upgrade' || name === 'connection'))) continue;
    if (name.startsWith('x-coursehub-')) continue;
    out[name] = value;
  }
  if (rewrite) {
    if ('authorization' in rewrite) setOrDelete(out, 'authorization', rewrite.authorization);
    if ('cookie' in rewrite) setOrDelete(out, 'cookie', rewrite.cookie);
  }
  out['x-forwarded-for'] = forwardedFor(request);
  out['x-forwarded-proto'] ??= 'http';
  if (request.headers.host) out['x-forwarded-host'] ??= request.headers.host;
  return out;
}

function setOrDelete(headers: http.OutgoingHttpHeaders, name: string, value: string | undefined): void {
  if (value === undefined) delete headers[name];
  else headers[name] = value;
}
