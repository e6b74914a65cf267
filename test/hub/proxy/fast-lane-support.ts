// Shared set-up for the fast-lane tests (fast-lane-*.test.ts): the real proxy (startProxyProcess,
// in the test's own process so its route table can be read) in front of raw `net` targets whose
// every byte the test writes, and raw client sockets with a reader of the answers they get. Which
// lane carried an answer shows in its head: node:http's lane always adds a Date header, the fast
// lane passes the target's head on as it came, and these targets never send a Date.
//
// Each test file calls useFastLaneProxy() once at its top: it starts that file's own proxy and
// targets (vitest runs each file in a worker of its own, with its own copy of this module).
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startProxyProcess, type RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { freePort } from './support.js';

/** The token the proxy's oracle lets into any user's server. */
export const LET_ME_IN = 'let-me-in';
export const ALICE_SERVER_TOKEN = 'alice-server-token-0123456789';
export const AUTH = `Authorization: token ${LET_ME_IN}\r\n`;

/** Rejects with `what` if `promise` has not settled after `ms`. */
export function within<T>(what: string, promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `check` holds (polled), rejects with `what` after `ms`. */
export async function waitFor(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------
// A raw target: reads requests (heads, and bodies by Content-Length), answers with bytes the
// test chooses.

export interface TargetRequest {
  method: string;
  path: string;
  /** The request's exact bytes (head, blank line, body), as latin1 text. */
  raw: string;
  body: string;
  /** Which of the target's accepted connections it came on (0-based). */
  connection: number;
  /** Its place among the requests on that connection (0-based). */
  onConnection: number;
}

export type Respond = (request: TargetRequest, socket: net.Socket) => void;

/** `HTTP/1.1 200 OK` with a Content-Length body. */
export function ok(body: string, fields = 'Content-Type: text/plain\r\n'): string {
  return `HTTP/1.1 200 OK\r\n${fields}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}

/** What a target answers unless a test says otherwise: the method, path and body it got. */
export function bodyFor(request: { method: string; path: string; body?: string }): string {
  return `${request.method} ${request.path}${request.body ? ` ${request.body}` : ''}`;
}

export const answerWhatCame: Respond = (request, socket) => {
  const answer = ok(bodyFor(request));
  socket.write(
    request.method === 'HEAD' ? answer.slice(0, answer.indexOf('\r\n\r\n') + 4) : answer,
    'latin1',
  );
};

export class RawTarget {
  readonly sockets: net.Socket[] = [];
  readonly requests: TargetRequest[] = [];
  /** Problems the target met (a request it cannot read); each test expects none. */
  readonly problems: string[] = [];
  respond: Respond = answerWhatCame;
  url = '';
  private readonly server = net.createServer((socket) => this.accept(socket));

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests for `path`, in the order they came. */
  seen(path: string): TargetRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  private accept(socket: net.Socket): void {
    const connection = this.sockets.push(socket) - 1;
    let buffered = Buffer.alloc(0);
    let count = 0;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (!socket.destroyed) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        if (/\r\ntransfer-encoding:/i.test(head)) {
          this.problems.push(`a chunked request body: ${JSON.stringify(head)}`);
          socket.destroy();
          return;
        }
        const length = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const raw = buffered.toString('latin1', 0, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const [method = '', path = ''] = head.split(' ');
        const request = { method, path, raw, body: raw.slice(end + 4), connection, onConnection: count++ };
        this.requests.push(request);
        this.respond(request, socket);
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// A raw client, and a reader of the answers it got.

export class RawClient {
  text = '';
  closed = false;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static async open(url: string): Promise<RawClient> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  write(text: string): void {
    this.socket.write(Buffer.from(text, 'latin1'));
  }

  /** Resolves once `check` holds for what has arrived (checked on every arrival and the close). */
  until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
    if (check()) return Promise.resolve();
    let waiter: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      waiter = () => check() && resolve();
      this.waiters.add(waiter);
    });
    return within(`${what}; got ${JSON.stringify(this.text.slice(0, 2_000))}`, done, ms).finally(() =>
      this.waiters.delete(waiter),
    );
  }

  /** The first `methods.length` answers, once they have all arrived whole. */
  async answers(methods: string[], ms = 5_000): Promise<Answer[]> {
    await this.until(
      `${methods.length} answers`,
      () => readAnswers(this.text, methods, this.closed).length === methods.length,
      ms,
    );
    return readAnswers(this.text, methods, this.closed);
  }

  async closes(ms = 5_000): Promise<void> {
    await this.until('the connection to close', () => this.closed, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }
}

export interface Answer {
  status: number;
  /** The head as received, without the blank line. */
  head: string;
  /** Lower-case names and trimmed values, in order. */
  fields: [string, string][];
  /** The body, decoded from chunked framing when it had that. */
  body: string;
  /** The answer's exact bytes (head, blank line, body as framed). */
  raw: string;
}

export function values(answer: Answer, name: string): string[] {
  return answer.fields.filter(([field]) => field === name).map(([, value]) => value);
}

/** Whether node:http's lane wrote the answer (it always sends a Date; the targets never do). */
export function byNodeHttp(answer: Answer): boolean {
  return values(answer, 'date').length > 0;
}

/** A chunked body from `at`: its data and where it ends, or undefined if it has not all arrived. */
function dechunk(text: string, at: number): { body: string; end: number } | undefined {
  let body = '';
  while (true) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(text.slice(at, lineEnd).split(';')[0]!, 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size line ${JSON.stringify(text.slice(at, lineEnd))}`);
    if (size === 0) {
      const end = text.indexOf('\r\n\r\n', lineEnd);
      return end < 0 ? undefined : { body, end: end + 4 };
    }
    if (text.length < lineEnd + 2 + size + 2) return undefined;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** The answers (one per request method) complete in `text`, by HTTP/1.1's framing rules. */
export function readAnswers(text: string, methods: string[], closed: boolean): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  for (const method of methods) {
    const headEnd = text.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const head = text.slice(at, headEnd);
    const lines = head.split('\r\n');
    const status = Number(lines[0]!.slice(9, 12));
    const fields = lines.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    });
    const answer = { status, head, fields, body: '', raw: '' };
    const bodyStart = headEnd + 4;
    let end: number;
    if (method === 'HEAD' || status === 204 || status === 304) end = bodyStart;
    else if (values(answer, 'transfer-encoding').join().toLowerCase() === 'chunked') {
      const chunked = dechunk(text, bodyStart);
      if (!chunked) break;
      answer.body = chunked.body;
      end = chunked.end;
    } else if (values(answer, 'content-length').length > 0) {
      end = bodyStart + Number(values(answer, 'content-length')[0]);
      if (text.length < end) break;
      answer.body = text.slice(bodyStart, end);
    } else {
      if (!closed) break;
      end = text.length;
      answer.body = text.slice(bodyStart);
    }
    answer.raw = text.slice(at, end);
    answers.push(answer);
    at = end;
  }
  return answers;
}

/** A GET (or `method`) request head for `path`, with `fields` (each ending in CRLF). */
export function request(path: string, fields = '', method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${fields}\r\n`;
}

/** What plain node:http (no proxy) answers to `bytes`: its status line, or '' if nothing. */
export async function plainNodeHttpStatusLine(bytes: string): Promise<string> {
  const server = http.createServer((_request, response) => response.end('plain'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const client = await RawClient.open(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    client.write(bytes);
    await client.until('an answer from plain node:http', () => client.text.includes('\r\n'));
    client.destroy();
    return client.text.slice(0, client.text.indexOf('\r\n'));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// The proxy and its targets, set by useFastLaneProxy() before the file's tests run.

export let proxy: RunningProxy;
/** The default route's target (the hub's place): no credential needed, nothing rewritten. */
export let hub: RawTarget;
/** Alice's server: token `let-me-in` passes, the server token goes in, hub cookies come out. */
export let alice: RawTarget;

const clients: RawClient[] = [];

/**
 * Starts the proxy and its targets before the calling file's tests and closes them after; resets
 * both targets to answerWhatCame before each test. Call once, at the top of a test file.
 */
export function useFastLaneProxy(): void {
  beforeAll(async () => {
    hub = new RawTarget();
    alice = new RawTarget();
    await Promise.all([hub.start(), alice.start()]);
    /** Dora's server's address, where nothing listens. */
    const downUrl = `http://127.0.0.1:${await freePort()}`;
    proxy = await startProxyProcess({
      ip: '127.0.0.1',
      port: 0,
      apiIp: '127.0.0.1',
      apiPort: 0,
      defaultTarget: hub.url,
      apiSecret: 'fast-lane-test-secret-0123456789',
      oracle: async (credential, owner) => {
        const allowed = credential.kind === 'token' && credential.token === LET_ME_IN;
        return { allowed, user: allowed ? owner : null };
      },
      verifySessionCookie: () => null,
    });
    proxy.routes.add('/user/alice/', alice.url, { user: 'alice', server_token: ALICE_SERVER_TOKEN });
    proxy.routes.add('/user/dora/', downUrl, { user: 'dora' });
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.all([hub?.close(), alice?.close()]);
  });

  beforeEach(() => {
    hub.respond = answerWhatCame;
    alice.respond = answerWhatCame;
  });

  afterAll(() => {
    for (const client of clients) client.destroy();
  });
}

/** A raw client connection to the proxy, destroyed after the file's tests. */
export async function connect(): Promise<RawClient> {
  const client = await RawClient.open(proxy.publicUrl);
  clients.push(client);
  return client;
}

/** Neither target met a request it could not read. */
export function expectNoTargetProblems(): void {
  expect(hub.problems).toEqual([]);
  expect(alice.problems).toEqual([]);
}
