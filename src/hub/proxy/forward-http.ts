/**
 * Forwards one HTTP request to a route's target and streams the answer back: node:http's lane,
 * for what the fast lane (fast-lane.ts) leaves to it, such as request bodies, `Expect`, heads that
 * are not strictly HTTP/1.1 and answers it does not relay itself.
 *
 * The upstream side is undici's dispatch API on one keep-alive pool per target: it costs much
 * less CPU per request than node:http's client (no ClientRequest/IncomingMessage streams, no
 * agent bookkeeping, header lists instead of objects), and CPU per request is what a proxy on a
 * small shared machine is limited by (bench/proxy.ts measures it). CHP, for comparison, opens a
 * new upstream connection per request. One handler object per request, no closures: its
 * methods are undici's callbacks.
 */
import type http from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { forwardedHeaderList, type ForwardRewrite } from './request-headers.js';
import { returnedHeaderList } from './response-headers.js';
import type { Route } from './route-table.js';

export type { ForwardRewrite } from './request-headers.js';

export interface ForwardFailure {
  route: Route;
  error: Error;
}

const pools = new Map<string, Pool>();

/** One keep-alive pool per target origin, created on first use. */
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      connections: 256,
      pipelining: 1,
      // No timeouts of the proxy's own, as with node:http before: a long poll, an event stream
      // or a slow download is the user server's business, and the browser can always give up.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes idle upstream connections (at shutdown, so the process can exit). */
export function closeForwardAgents(): void {
  // At shutdown: a pool that fails to close has nothing left to lose, and the process is ending.
  for (const pool of pools.values()) void pool.destroy().catch(() => {});
  pools.clear();
}

/** Whether the request has a body to pass on (RFC 9112 6.3: only these two headers say so). */
function hasBody(request: http.IncomingMessage): boolean {
  const headers = request.headers;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

/** The handler of the request a response answers; lets shared listeners find it without closures. */
const HANDLER = Symbol('forward handler');
type Answering = http.ServerResponse & { [HANDLER]?: ForwardHandler };

// Listeners shared by every response (`this` is the response): none is created per request.
function onClientClose(this: Answering): void {
  this[HANDLER]?.clientClosed();
}
function onClientDrain(this: Answering): void {
  this[HANDLER]?.resume?.();
}

class ForwardHandler implements Dispatcher.DispatchHandlers {
  resume: (() => void) | undefined;
  private abort: ((error?: Error) => void) | undefined;
  private clientGone = false;
  /** Body bytes still to come by the answer's Content-Length (-1: not known). */
  private remaining = -1;

  constructor(
    private readonly response: Answering,
    private readonly route: Route,
    private readonly rewrite: ForwardRewrite | undefined,
    private readonly onFailure: (failure: ForwardFailure) => void,
  ) {
    response[HANDLER] = this;
    // A client that goes away mid-request must not leave the upstream request hanging.
    response.on('close', onClientClose); // fires once; `on` spares once()'s wrapper
  }

  clientClosed(): void {
    if (this.response.writableFinished) return;
    this.clientGone = true;
    this.abort?.();
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.clientGone) abort();
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // 1xx: the client gets the final answer only, as before
    this.resume = resume;
    // Header bytes are passed on as they came (latin1), minus hop-by-hop ones.
    const raw: string[] = new Array(rawHeaders.length);
    for (let i = 0; i < rawHeaders.length; i++) raw[i] = rawHeaders[i]!.toString('latin1');
    const headers = returnedHeaderList(raw, this.rewrite?.filterSetCookie);
    if (this.rewrite?.answerHeaders) headers.push(...this.rewrite.answerHeaders);
    for (let i = 0; i < headers.length; i += 2)
      if (headers[i]!.toLowerCase() === 'content-length') this.remaining = Number(headers[i + 1]);
    this.response.writeHead(status, statusText || undefined, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    // The last chunk by Content-Length ends the answer at once: one pass through the response
    // stream instead of a write and an end (undici has checked the length against the bytes).
    if (this.remaining > 0 && (this.remaining -= chunk.length) === 0) {
      this.response.end(chunk);
      return true;
    }
    if (this.response.write(chunk)) return true;
    this.response.once('drain', onClientDrain);
    return false;
  }

  onComplete(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  onError(error: Error): void {
    if (this.clientGone) return;
    if (this.response.headersSent) this.response.destroy();
    else this.onFailure({ route: this.route, error });
  }
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
  poolFor(target.origin).dispatch(
    {
      path: basePath + pathAndQuery,
      method: request.method as Dispatcher.HttpMethod,
      headers: forwardedHeaderList(request, rewrite),
      body: hasBody(request) ? request : null,
    },
    new ForwardHandler(response, route, rewrite, onFailure),
  );
}
