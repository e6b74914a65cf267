/**
 * Forwards one HTTP request to a route's target and streams the answer back.
 *
 * Written on node:http rather than with `http-proxy` (unmaintained) or `http-proxy-3`: what the
 * proxy needs is a header rewrite and two pipes, and owning that code lets it use one keep-alive
 * agent per target, which is where most of the speed over configurable-http-proxy comes from
 * (CHP opens a new upstream connection per request). bench/proxy.ts measures it.
 */
import http from 'node:http';
import { connectionTokens, isHopByHop } from './hop-headers.js';
import type { Route } from './route-table.js';

export interface ForwardRewrite {
  /** Replaces the Authorization header (undefined: the header is removed). */
  authorization?: string | undefined;
  /** Replaces the Cookie header (undefined: the header is removed). */
  cookie?: string | undefined;
  /** Filters Set-Cookie headers of the answer. */
  filterSetCookie?: (values: string[] | undefined) => string[] | undefined;
}

export interface ForwardFailure {
  route: Route;
  error: Error;
}

const agents = new Map<string, http.Agent>();

/** One keep-alive agent per target origin, created on first use. */
function agentFor(origin: string): http.Agent {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
    agents.set(origin, agent);
  }
  return agent;
}

/** Closes idle upstream connections (at shutdown, so the process can exit). */
export function closeForwardAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** The outgoing headers: the client's, minus hop-by-hop ones, with the rewrite applied. */
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
    // The proxy's own headers to the hub (secret, credential to check) never come from outside.
    if (name.startsWith('x-coursehub-')) continue;
    out[name] = value;
  }
  if (rewrite) {
    if ('authorization' in rewrite) setOrDelete(out, 'authorization', rewrite.authorization);
    if ('cookie' in rewrite) setOrDelete(out, 'cookie', rewrite.cookie);
  }
  const client = request.socket.remoteAddress ?? '';
  const previous = request.headers['x-forwarded-for'];
  out['x-forwarded-for'] = previous ? `${String(previous)}, ${client}` : client;
  out['x-forwarded-proto'] ??= 'http';
  if (request.headers.host) out['x-forwarded-host'] ??= request.headers.host;
  return out;
}

function setOrDelete(headers: http.OutgoingHttpHeaders, name: string, value: string | undefined): void {
  if (value === undefined) delete headers[name];
  else headers[name] = value;
}

export function forwardHttp(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  route: Route,
  pathAndQuery: string,
  rewrite: ForwardRewrite | undefined,
  onFailure: (failure: ForwardFailure) => void,
): void {
  const target = route.target;
  const basePath = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  const upstream = http.request({
    protocol: 'http:',
    hostname: target.hostname,
    port: target.port || 80,
    method: request.method,
    path: basePath + pathAndQuery,
    headers: forwardedHeaders(request, rewrite, false),
    agent: agentFor(target.origin),
  });
  upstream.on('response', (answer) => {
    const tokens = connectionTokens(answer.headers.connection);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || isHopByHop(name, tokens)) continue;
      headers[name] = value;
    }
    if (rewrite?.filterSetCookie) {
      const kept = rewrite.filterSetCookie(answer.headers['set-cookie']);
      if (kept && kept.length > 0) headers['set-cookie'] = kept;
      else delete headers['set-cookie'];
    }
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  });
  upstream.on('error', (error) => {
    if (response.headersSent) response.destroy();
    else onFailure({ route, error });
  });
  // A client that goes away mid-request must not leave the upstream request hanging.
  response.on('close', () => {
    if (!response.writableFinished) upstream.destroy();
  });
  request.pipe(upstream);
}
