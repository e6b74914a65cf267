/**
 * The proxy's fast lane. Plain GET and HEAD requests, most of a notebook's traffic (pages, static
 * files, API reads), are read, judged and forwarded on the raw connection, without node:http's
 * request and response objects or an HTTP client library. That roughly halves the proxy's CPU
 * per request (bench/proxy.ts), and CPU per request is what a proxy on a small shared machine is
 * limited by.
 *
 * Everything else is handed to node:http's server together with the bytes not handled yet, and
 * the connection stays there: bodies, websocket upgrades, refusals and redirects, heads that are
 * not strictly HTTP/1.1 (http1-head.ts), and an upstream that fails or answers unusually before
 * anything reached the browser (the request is then replayed there; GET and HEAD are safe to
 * repeat). Both lanes take their verdict from the same gatekeeper and rewrite headers by the
 * same rules (request-headers.ts, response-headers.ts), so what may pass and what a server sees
 * do not depend on the lane.
 *
 * One request at a time per connection (pipelined requests wait their turn), on an upstream
 * connection taken from a shared pool for that request (upstream-pool.ts). Answers are relayed
 * as they come; only their heads are rewritten.
 */
import net from 'node:net';
import { ChunkedEnd, MALFORMED, NOT_YET } from './chunked-end.js';
import { saysClose } from './hop-headers.js';
import type { Judge, Verdict } from './gatekeeper.js';
import { parseRequestHead, parseResponseHead, type RequestHead, type ResponseHead } from './http1-head.js';
import { forwardedHeaderList, requestHeadText, type ForwardRewrite } from './request-headers.js';
import { returnedHeaderList } from './response-headers.js';
import { answerUriTooLong, MAX_REQUEST_HEAD, requestLineTooLong } from './oversized-head.js';
import { UpstreamPool, type UpstreamUser } from './upstream-pool.js';

export interface FastLaneOptions {
  judge: Judge;
  /** Gives the connection to node:http, with the bytes read from it but not yet handled. */
  handOff(socket: net.Socket, unread: Buffer): void;
  /** Header lines the proxy adds to every answer, each ending in CRLF (HSTS over https). */
  answerHeadText?: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
const MAX_RESPONSE_HEAD = 64 * 1024;
/** Pipelined bytes a connection may queue behind the request in flight; a browser sends none. */
const MAX_QUEUED = 1024 * 1024;
/** As node:http's keepAliveTimeout (proxy-process.ts): idle connections close after this. */
const IDLE_MS = 65_000;
/** As node:http's headersTimeout: a head must be complete this long after its first byte. */
const HEAD_MS = 60_000;

/** Heads this long or shorter are found with one conversion to text (most are ~300 bytes). */
const SHORT_HEAD = 4096;

/** A CR not followed by LF, or an LF not after a CR: never part of a strict head. */
const BARE_LINE_END = /\r[^\n]|(?:^|[^\r])\n/;

/**
 * The head at the start of `bytes` as text (without the blank line) and where it ends; -1 while
 * it is not complete; NOT_STRICT when it uses line ends other than CRLF, which another parser may
 * read as the end of the head, so that waiting for CRLFCRLF could wait forever.
 */
function headOf(bytes: Buffer): [string, number] {
  const text = bytes.toString('latin1', 0, Math.min(bytes.length, SHORT_HEAD));
  const end = text.indexOf('\r\n\r\n');
  if (end >= 0) return [text.slice(0, end), end];
  if (BARE_LINE_END.test(text)) return ['', NOT_STRICT];
  if (bytes.length <= SHORT_HEAD) return ['', -1];
  const longEnd = bytes.indexOf(HEAD_END);
  return longEnd < 0 ? ['', -1] : [bytes.toString('latin1', 0, longEnd), longEnd];
}

const NOT_STRICT = -2;

type Framing = 'none' | 'length' | 'chunked' | 'close';

/** Only safe, bodyless, plain requests take this lane. */
function isPlainRead({ method, headers }: RequestHead): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    headers.host !== undefined &&
    headers['transfer-encoding'] === undefined &&
    (headers['content-length'] === undefined || headers['content-length'] === '0') &&
    headers.upgrade === undefined &&
    headers.expect === undefined
  );
}

/** How the answer's body ends (RFC 9112 6.3), or undefined for answers left to node:http. */
function framingOf({ status, headers }: ResponseHead, toHead: boolean): [Framing, number] | undefined {
  if (status < 200) return undefined; // 1xx: interim answers are node:http's business
  const transferEncoding = headers['transfer-encoding'];
  const contentLength = headers['content-length'];
  if (transferEncoding !== undefined && contentLength !== undefined) return undefined;
  if (toHead || status === 204 || status === 304) return ['none', 0];
  if (transferEncoding !== undefined)
    return transferEncoding.toLowerCase() === 'chunked' ? ['chunked', 0] : undefined;
  if (contentLength !== undefined)
    return /^\d{1,15}$/.test(contentLength) ? ['length', Number(contentLength)] : undefined;
  return ['close', 0];
}

class FastConnection implements UpstreamUser {
  /** Bytes from the client not handled yet. */
  private unread: Buffer = EMPTY;
  private headSince = 0;
  // The request in flight (one at a time).
  private inFlight = false;
  private requestBytes: Buffer = EMPTY;
  private toHead = false;
  private closeAfter = false;
  private filterSetCookie: ForwardRewrite['filterSetCookie'];
  // Its answer.
  private answerHead: Buffer = EMPTY;
  private answering = false;
  private framing: Framing = 'none';
  private remaining = 0;
  private chunked: ChunkedEnd | undefined;
  private waitingForDrain = false;
  // The upstream connection of the request in flight, from the pool and back to it after.
  private upstream: net.Socket | undefined;
  private upstreamReusable = false;

  constructor(
    private readonly client: net.Socket,
    private readonly options: FastLaneOptions,
    private readonly pool: UpstreamPool,
  ) {
    client.setNoDelay(true);
    client.setTimeout(IDLE_MS);
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    client.on('timeout', this.onClientTimeout);
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
  }

  private readonly onClientData = (chunk: Buffer): void => {
    this.unread = this.unread.length === 0 ? chunk : Buffer.concat([this.unread, chunk]);
    if (!this.inFlight) this.nextRequest();
    else if (this.unread.length > MAX_QUEUED) this.client.destroy();
  };

  private readonly onClientEnd = (): void => {
    // As node:http does: a client that stops sending has given up on what it asked for.
    if (this.inFlight) this.client.destroy();
    else this.client.end();
  };

  private readonly onClientTimeout = (): void => {
    // Idle, or a head trickling in: close. A request in flight may take as long as it takes.
    if (!this.inFlight) this.client.destroy();
  };

  private readonly onClientError = (): void => {
    this.client.destroy();
  };

  private readonly onClientClose = (): void => {
    this.dropUpstream();
  };

  private readonly resumeUpstream = (): void => {
    this.waitingForDrain = false;
    this.upstream?.resume();
  };

  private nextRequest(): void {
    const [text, end] = headOf(this.unread);
    // node:http answers what is not strict; a head over the limit is refused as node:http would
    // (431), or with 414 when its request line is what is too long.
    if (end === NOT_STRICT) return this.handOff();
    if (end + HEAD_END.length > MAX_REQUEST_HEAD) return this.refuseOversizedHead();
    if (end < 0) {
      if (this.unread.length > MAX_REQUEST_HEAD) return this.refuseOversizedHead();
      if (this.headSince === 0) this.headSince = Date.now();
      else if (Date.now() - this.headSince > HEAD_MS) this.client.destroy();
      return;
    }
    this.headSince = 0;
    const head = parseRequestHead(text);
    if (!head || !isPlainRead(head)) return this.handOff();
    this.inFlight = true;
    this.requestBytes = this.unread.subarray(0, end + HEAD_END.length);
    this.unread = this.unread.length === this.requestBytes.length ? EMPTY : this.unread.subarray(end + 4);
    this.toHead = head.method === 'HEAD';
    this.closeAfter = saysClose(head.headers.connection);
    let verdict: Verdict | Promise<Verdict>;
    try {
      verdict = this.options.judge(head, false);
    } catch {
      return this.handOff(); // node:http's lane judges again and answers the error
    }
    // A cached login answer gives the verdict at once; only a question to the hub waits.
    if (verdict instanceof Promise)
      verdict.then(
        (settled) => this.forward(head, settled),
        () => this.handOff(),
      );
    else this.forward(head, verdict);
  }

  private refuseOversizedHead(): void {
    if (!requestLineTooLong(this.unread)) return this.handOff();
    this.unread = EMPTY;
    this.client.off('data', this.onClientData);
    answerUriTooLong(this.client);
  }

  private forward(head: RequestHead, verdict: Verdict): void {
    if (this.client.destroyed) return;
    // Refusals, redirects and "not running" pages are written by node:http's lane.
    if (verdict.kind !== 'forward' || verdict.route.target.protocol !== 'http:') return this.handOff();
    const { route, pathAndQuery, rewrite } = verdict;
    route.lastActivity = Date.now();
    this.filterSetCookie = rewrite?.filterSetCookie;
    const target = route.target;
    const basePath = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
    const fields = forwardedHeaderList(
      { rawHeaders: head.rawHeaders, headers: head.headers, socket: this.client },
      rewrite,
    );
    this.upstreamTo(target).write(requestHeadText(head.method, basePath + pathAndQuery, fields), 'latin1');
  }

  private upstreamTo(target: URL): net.Socket {
    this.upstream = this.pool.take(target, this);
    this.upstreamReusable = true;
    return this.upstream;
  }

  private dropUpstream(): void {
    if (this.upstream) this.pool.discard(this.upstream);
    this.upstream = undefined;
  }

  onUpstreamData(chunk: Buffer): void {
    // Bytes nobody asked for: the connection no longer speaks HTTP as we understand it.
    if (!this.inFlight) return this.dropUpstream();
    if (this.answering) {
      if (this.relay(chunk)) this.finish();
      return;
    }
    this.answerHead = this.answerHead.length === 0 ? chunk : Buffer.concat([this.answerHead, chunk]);
    const [text, end] = headOf(this.answerHead);
    if (end === NOT_STRICT) return this.handOff(); // nothing sent yet: node:http's lane asks again
    if (end < 0) {
      if (this.answerHead.length > MAX_RESPONSE_HEAD) this.onUpstreamFailed();
      return;
    }
    const head = parseResponseHead(text);
    const framing = head && framingOf(head, this.toHead);
    if (!head || !framing) return this.handOff(); // nothing sent yet: node:http's lane asks again
    const body = this.answerHead.subarray(end + HEAD_END.length);
    this.answerHead = EMPTY;
    this.answering = true;
    [this.framing, this.remaining] = framing;
    this.chunked = this.framing === 'chunked' ? new ChunkedEnd() : undefined;
    if (saysClose(head.headers.connection)) this.upstreamReusable = false;
    if (this.framing === 'close') this.closeAfter = true;
    const fields = returnedHeaderList(head.rawHeaders, this.filterSetCookie);
    let returned = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
    for (let i = 0; i < fields.length; i += 2) returned += `${fields[i]}: ${fields[i + 1]}\r\n`;
    if (this.options.answerHeadText) returned += this.options.answerHeadText;
    if (this.closeAfter) returned += 'connection: close\r\n';
    if (this.relay(body, `${returned}\r\n`)) this.finish();
  }

  /**
   * Passes on the part of `chunk` that belongs to the answer, after `head` when there is one;
   * true when the answer is complete.
   */
  private relay(chunk: Buffer, head = ''): boolean {
    let end = chunk.length;
    let done = false;
    if (this.framing === 'none') {
      end = 0;
      done = true;
    } else if (this.framing === 'length') {
      end = Math.min(this.remaining, chunk.length);
      this.remaining -= end;
      done = this.remaining === 0;
    } else if (this.framing === 'chunked') {
      const at = this.chunked!.feed(chunk);
      if (at === MALFORMED) {
        // Part of the answer is already with the browser: all that is left is to cut it short.
        this.client.destroy();
        return false;
      }
      if (at !== NOT_YET) {
        end = at;
        done = true;
      }
    }
    if (end > 0 || head !== '') this.send(head, end === chunk.length ? chunk : chunk.subarray(0, end));
    // Bytes after the answer's end: the server does not frame its answers right; no reuse.
    if (end < chunk.length) this.upstreamReusable = false;
    return done;
  }

  private send(head: string, bytes: Buffer): void {
    // Head and first body bytes leave in one write, one system call: cheaper than a write
    // vector (cork) for the small answers that are most of the traffic.
    let written: boolean;
    if (head === '') written = this.client.write(bytes);
    else if (bytes.length === 0) written = this.client.write(head, 'latin1');
    else {
      const joined = Buffer.allocUnsafe(head.length + bytes.length);
      joined.write(head, 0, 'latin1');
      bytes.copy(joined, head.length);
      written = this.client.write(joined);
    }
    if (written) return;
    // A slow reader: stop reading the server until the browser has caught up.
    this.upstream?.pause();
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.client.once('drain', this.resumeUpstream);
  }

  private finish(): void {
    this.inFlight = false;
    this.answering = false;
    this.requestBytes = EMPTY;
    this.chunked = undefined;
    if (this.upstream && this.upstreamReusable) this.pool.give(this.upstream);
    else if (this.upstream) this.pool.discard(this.upstream);
    this.upstream = undefined;
    if (this.closeAfter) this.client.end();
    else if (this.unread.length > 0) this.nextRequest();
  }

  onUpstreamEnd(): void {
    if (this.answering && this.framing === 'close') {
      this.upstreamReusable = false;
      this.finish();
    } else this.onUpstreamFailed();
  }

  onUpstreamFailed(): void {
    this.dropUpstream();
    if (!this.inFlight) return;
    // Before the answer started, node:http's lane tries again: a kept connection the server
    // had just closed, or a server that is gone (that lane then shows the "not responding" page).
    if (!this.answering) return this.handOff();
    this.client.destroy();
  }

  /** Hands the connection, with every byte not handled yet, to node:http for good. */
  private handOff(): void {
    const client = this.client;
    if (client.destroyed) return;
    const unread = this.inFlight
      ? this.unread.length === 0
        ? this.requestBytes
        : Buffer.concat([this.requestBytes, this.unread])
      : this.unread;
    this.dropUpstream();
    client.off('data', this.onClientData);
    client.off('end', this.onClientEnd);
    client.off('timeout', this.onClientTimeout);
    client.off('error', this.onClientError);
    client.off('close', this.onClientClose);
    client.off('drain', this.resumeUpstream);
    client.setTimeout(0);
    this.options.handOff(client, unread);
  }
}

/** Accepts connections onto the fast lane; `closeAll` ends the ones still on it. */
export class FastLane {
  private readonly sockets = new Set<net.Socket>();
  private readonly pool = new UpstreamPool();

  constructor(private readonly options: FastLaneOptions) {}

  accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    new FastConnection(socket, this.options, this.pool);
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.pool.closeAll();
  }
}
