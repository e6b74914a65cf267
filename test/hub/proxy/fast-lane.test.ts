// The proxy's fast lane (src/hub/proxy/fast-lane.ts) between real sockets: the real proxy
// (startProxyProcess, in this process so its route table can be read) in front of raw `net`
// targets whose every byte the test writes, driven by raw client sockets. Which lane carried an
// answer shows in its head: node:http's lane always adds a Date header, the fast lane passes the
// target's head on as it came, and these targets never send a Date.
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxyProcess, type RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { freePort } from './support.js';

/** The token the proxy's oracle lets into any user's server. */
const LET_ME_IN = 'let-me-in';
const ALICE_SERVER_TOKEN = 'alice-server-token-0123456789';
const AUTH = `Authorization: token ${LET_ME_IN}\r\n`;

/** Rejects with `what` if `promise` has not settled after `ms`. */
function within<T>(what: string, promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `check` holds (polled), rejects with `what` after `ms`. */
async function waitFor(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------------------------------------
// A raw target: reads requests (heads, and bodies by Content-Length), answers with bytes the
// test chooses.

interface TargetRequest {
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

type Respond = (request: TargetRequest, socket: net.Socket) => void;

/** `HTTP/1.1 200 OK` with a Content-Length body. */
function ok(body: string, fields = 'Content-Type: text/plain\r\n'): string {
  return `HTTP/1.1 200 OK\r\n${fields}Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`;
}

/** What a target answers unless a test says otherwise: the method, path and body it got. */
function bodyFor(request: { method: string; path: string; body?: string }): string {
  return `${request.method} ${request.path}${request.body ? ` ${request.body}` : ''}`;
}

const answerWhatCame: Respond = (request, socket) => {
  const answer = ok(bodyFor(request));
  socket.write(
    request.method === 'HEAD' ? answer.slice(0, answer.indexOf('\r\n\r\n') + 4) : answer,
    'latin1',
  );
};

class RawTarget {
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

class RawClient {
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

interface Answer {
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

function values(answer: Answer, name: string): string[] {
  return answer.fields.filter(([field]) => field === name).map(([, value]) => value);
}

/** Whether node:http's lane wrote the answer (it always sends a Date; the targets never do). */
function byNodeHttp(answer: Answer): boolean {
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
function readAnswers(text: string, methods: string[], closed: boolean): Answer[] {
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
function request(path: string, fields = '', method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${fields}\r\n`;
}

/** What plain node:http (no proxy) answers to `bytes`: its status line, or '' if nothing. */
async function plainNodeHttpStatusLine(bytes: string): Promise<string> {
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

let proxy: RunningProxy;
/** The default route's target (the hub's place): no credential needed, nothing rewritten. */
let hub: RawTarget;
/** Alice's server: token `let-me-in` passes, the server token goes in, hub cookies come out. */
let alice: RawTarget;
let downUrl: string;

beforeAll(async () => {
  hub = new RawTarget();
  alice = new RawTarget();
  await Promise.all([hub.start(), alice.start()]);
  downUrl = `http://127.0.0.1:${await freePort()}`;
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

const clients: RawClient[] = [];
async function connect(): Promise<RawClient> {
  const client = await RawClient.open(proxy.publicUrl);
  clients.push(client);
  return client;
}

afterAll(() => {
  for (const client of clients) client.destroy();
});

/** Neither target met a request it could not read. */
function expectNoTargetProblems(): void {
  expect(hub.problems).toEqual([]);
  expect(alice.problems).toEqual([]);
}

describe('requests on one connection', () => {
  it('answers pipelined GETs sent in one write, all of them, in order', async () => {
    const paths = [
      '/user/alice/p/1',
      '/hub/p/2',
      '/user/alice/p/3',
      '/user/alice/p/4',
      '/hub/p/5',
      '/hub/p/6',
    ];
    // Earlier requests take longer: answers in order cannot come from answering as they finish.
    const delayed: Respond = (request, socket) => {
      const index = paths.indexOf(request.path);
      setTimeout(() => answerWhatCame(request, socket), (paths.length - index) * 5);
    };
    hub.respond = delayed;
    alice.respond = delayed;
    const client = await connect();
    client.write(paths.map((path) => request(path, AUTH)).join(''));

    const answers = await client.answers(paths.map(() => 'GET'));
    expect(answers.map((answer) => answer.status)).toEqual(paths.map(() => 200));
    expect(answers.map((answer) => answer.body)).toEqual(
      paths.map((path) => bodyFor({ method: 'GET', path })),
    );
    expect(answers.filter(byNodeHttp)).toEqual([]);
    // Nothing but the answers.
    expect(client.text).toBe(answers.map((answer) => answer.raw).join(''));
    for (const path of paths) expect([...hub.seen(path), ...alice.seen(path)], path).toHaveLength(1);
    expectNoTargetProblems();
  });

  it('passes a chunked answer (extensions, trailer) on intact and answers the next request on the same upstream connection', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body =
      '5;name="v a l"\r\nhello\r\n7;x\r\n, world\r\n1a\r\n' +
      'z'.repeat(26) +
      '\r\n0;end\r\nX-Trailer: done\r\n\r\n';
    const whole = head + body;
    // Written in pieces cut inside the head, an extension, the data and the trailer.
    const cuts = [20, head.length + 3, head.length + 12, head.length + 40, whole.length - 8, whole.length];
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/chunked') return answerWhatCame(request, socket);
      void (async () => {
        let from = 0;
        for (const cut of cuts) {
          socket.write(whole.slice(from, cut), 'latin1');
          from = cut;
          await sleep(10);
        }
      })();
    };
    const client = await connect();
    client.write(request('/user/alice/chunked', AUTH));
    await client.until('the chunked answer', () => client.text.length >= whole.length);
    expect(client.text).toBe(whole);
    const connectionsAfterFirst = alice.sockets.length;

    client.write(request('/user/alice/after-chunked', AUTH));
    const [, next] = await client.answers(['GET', 'GET']);
    expect(next!.status).toBe(200);
    expect(next!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-chunked' }));
    expect(byNodeHttp(next!)).toBe(false);
    expect(client.text).toBe(whole + next!.raw);
    // The upstream connection that carried the chunked answer carried the next request too:
    // the target accepted no other.
    expect(alice.sockets.length).toBe(connectionsAfterFirst);
    const [first] = alice.seen('/user/alice/chunked');
    const [second] = alice.seen('/user/alice/after-chunked');
    expect(second!.connection).toBe(first!.connection);
    expect(second!.onConnection).toBe(first!.onConnection + 1);
    expectNoTargetProblems();
  });

  it('passes a close-delimited answer on whole, says connection: close, then closes', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n';
    const parts = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(16_384 + i));
    alice.respond = (_request, socket) => {
      void (async () => {
        socket.write(head, 'latin1');
        for (const part of parts) {
          socket.write(part, 'latin1');
          await sleep(5);
        }
        socket.end();
      })();
    };
    const client = await connect();
    client.write(request('/user/alice/until-close', AUTH));
    await client.closes();
    expect(client.text).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nconnection: close\r\n\r\n' +
        parts.join(''),
    );
  });

  it('answers a HEAD with Content-Length and no body, and the connection stays usable', async () => {
    const headAnswer =
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\nETag: "v1"\r\n\r\n';
    alice.respond = (request, socket) => {
      if (request.method === 'HEAD') socket.write(headAnswer, 'latin1');
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/file', AUTH, 'HEAD'));
    await client.until('the HEAD answer', () => client.text.length >= headAnswer.length);
    client.write(request('/user/alice/file', AUTH));
    const [first, second] = await client.answers(['HEAD', 'GET']);
    expect(first!.raw).toBe(headAnswer);
    expect(second!.status).toBe(200);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/file' }));
    // Not one byte between the HEAD's head and the next answer.
    expect(client.text).toBe(headAnswer + second!.raw);
    expect(byNodeHttp(second!)).toBe(false);

    // Pipelined too.
    client.write(request('/user/alice/file', AUTH, 'HEAD') + request('/user/alice/file2', AUTH));
    const all = await client.answers(['HEAD', 'GET', 'HEAD', 'GET']);
    expect(all[2]!.raw).toBe(headAnswer);
    expect(all[3]!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/file2' }));
    expect(client.text).toBe(all.map((answer) => answer.raw).join(''));
  });

  it('answers GET, POST with a body, GET in one write: the POST and what follows go to node:http', async () => {
    const form = 'name=value&other=%20x';
    const post =
      request(
        '/hub/form',
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n`,
        'POST',
      ) + form;
    const client = await connect();
    client.write(request('/hub/one') + post + request('/hub/three'));
    const answers = await client.answers(['GET', 'POST', 'GET']);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, bodyFor({ method: 'GET', path: '/hub/one' })],
      [200, bodyFor({ method: 'POST', path: '/hub/form', body: form })],
      [200, bodyFor({ method: 'GET', path: '/hub/three' })],
    ]);
    expect(answers.map(byNodeHttp)).toEqual([false, true, true]);
    expect(hub.seen('/hub/form').map((seen) => seen.body)).toEqual([form]);
    expectNoTargetProblems();
  });

  it('hands off a POST whose head and body come in separate writes, between two GETs', async () => {
    const form = 'a=1&b=2';
    const client = await connect();
    client.write(request('/hub/before-post'));
    await client.answers(['GET']);
    client.write(request('/hub/split-post', `Content-Length: ${form.length}\r\n`, 'POST'));
    // The body follows in a write of its own, so the head arrives alone.
    await sleep(20);
    client.write(form);
    await client.answers(['GET', 'POST']);
    client.write(request('/hub/after-post'));
    const answers = await client.answers(['GET', 'POST', 'GET']);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, bodyFor({ method: 'GET', path: '/hub/before-post' })],
      [200, bodyFor({ method: 'POST', path: '/hub/split-post', body: form })],
      [200, bodyFor({ method: 'GET', path: '/hub/after-post' })],
    ]);
    expect(answers.map(byNodeHttp)).toEqual([false, true, true]);
    expectNoTargetProblems();
  });

  it('ends the connection after an answer when the client asked for connection: close', async () => {
    const client = await connect();
    client.write(request('/hub/last', 'Connection: close\r\n'));
    await client.closes();
    const [answer] = readAnswers(client.text, ['GET'], true);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/hub/last' }));
    expect(values(answer!, 'connection')).toEqual(['close']);
    expect(client.text).toBe(answer!.raw);
  });
});

describe('a kept upstream connection the target closes', () => {
  it('answers the next request when the target closed its idle connection in between', async () => {
    alice.respond = (request, socket) => {
      answerWhatCame(request, socket);
      if (request.path === '/user/alice/then-idle-close') socket.end();
    };
    const client = await connect();
    client.write(request('/user/alice/then-idle-close', AUTH));
    await client.answers(['GET']);
    const [first] = alice.seen('/user/alice/then-idle-close');
    const targetSide = alice.sockets[first!.connection]!;
    if (!targetSide.closed) await within('the idle upstream connection to close', once(targetSide, 'close'));

    client.write(request('/user/alice/after-idle-close', AUTH));
    const [, answer] = await client.answers(['GET', 'GET']);
    expect(answer!.status).toBe(200);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-idle-close' }));
    expect(byNodeHttp(answer!)).toBe(false);
    const [second] = alice.seen('/user/alice/after-idle-close');
    expect(second!.connection).not.toBe(first!.connection);
  });

  it('replays a request on node:http when the target closes the kept connection as the request arrives', async () => {
    let closedOnArrival = 0;
    alice.respond = (request, socket) => {
      // The kept connection's next request meets a server that has just closed it.
      if (request.path === '/user/alice/race' && closedOnArrival++ === 0) socket.end();
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/warm', AUTH));
    await client.answers(['GET']);
    client.write(request('/user/alice/race', AUTH));
    const [, raced] = await client.answers(['GET', 'GET']);
    expect(raced!.status).toBe(200);
    expect(raced!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/race' }));
    expect(byNodeHttp(raced!)).toBe(true);
    const seen = alice.seen('/user/alice/race');
    expect(seen).toHaveLength(2);
    // The first one came on the connection kept from the warm-up request.
    const [warm] = alice.seen('/user/alice/warm');
    expect(seen[0]!.connection).toBe(warm!.connection);
    expect(seen[0]!.onConnection).toBe(warm!.onConnection + 1);

    // The connection goes on (on node:http's lane now).
    client.write(request('/user/alice/after-race', AUTH));
    const [, , after] = await client.answers(['GET', 'GET', 'GET']);
    expect(after!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-race' }));
  });
});

describe('a kept upstream connection the target closes, with requests queued behind', () => {
  it('replays the request and the ones pipelined behind it on node:http, in order', async () => {
    let closedOnArrival = 0;
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/race-queued' && closedOnArrival++ === 0) socket.end();
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/warm-queued', AUTH));
    await client.answers(['GET']);
    const behind = ['/user/alice/behind-1', '/hub/behind-2'];
    client.write(
      [request('/user/alice/race-queued', AUTH), ...behind.map((path) => request(path, AUTH))].join(''),
    );
    const answers = await client.answers(['GET', 'GET', 'GET', 'GET']);
    expect(answers.slice(1).map((answer) => answer.body)).toEqual(
      ['/user/alice/race-queued', ...behind].map((path) => bodyFor({ method: 'GET', path })),
    );
    expect(answers.slice(1).map(byNodeHttp)).toEqual([true, true, true]);
    expect(alice.seen('/user/alice/race-queued')).toHaveLength(2);
    expect(alice.seen('/user/alice/behind-1')).toHaveLength(1);
    expect(hub.seen('/hub/behind-2')).toHaveLength(1);
  });
});

describe('bytes the target sends beyond its answer', () => {
  it.each([
    ['after a Content-Length body, in the same write', 'GET', (extra: string) => ok('hello', '') + extra],
    [
      'as a body of a HEAD answer',
      'HEAD',
      (extra: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${extra.length}\r\n\r\n${extra}`,
    ],
    ['as a body of a 204', 'GET', (extra: string) => `HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n${extra}`],
    [
      'after a chunked body',
      'GET',
      (extra: string) => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n${extra}`,
    ],
  ])('never reach the client: %s', async (_, method, answerWith) => {
    const extra = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nEXTRA-BYTES';
    const answer = answerWith(extra);
    const expected = answer.slice(0, answer.length - extra.length);
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/extra') socket.write(answer, 'latin1');
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/extra', AUTH, method));
    await client.answers([method]);
    client.write(request('/user/alice/after-extra', AUTH));
    const [first, second] = await client.answers([method, 'GET']);
    expect(first!.raw).toBe(expected);
    expect(second!.status).toBe(200);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-extra' }));
    expect(client.text).toBe(expected + second!.raw);
    expect(client.text).not.toContain('EXTRA');
  });

  it('never reach the client when they come later, on the idle connection', async () => {
    let targetSide: net.Socket | undefined;
    alice.respond = (request, socket) => {
      answerWhatCame(request, socket);
      if (request.path === '/user/alice/late-extra') targetSide = socket;
    };
    const client = await connect();
    client.write(request('/user/alice/late-extra', AUTH));
    await client.answers(['GET']);
    targetSide!.write('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nEXTRA-BYTES');
    // The proxy gives up a connection that speaks out of turn.
    if (!targetSide!.closed)
      await within('the proxy to drop the upstream connection', once(targetSide!, 'close'));
    client.write(request('/user/alice/after-late-extra', AUTH));
    const [, second] = await client.answers(['GET', 'GET']);
    expect(second!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-late-extra' }));
    expect(client.text).not.toContain('EXTRA');
  });
});

describe('answer heads the fast lane does not read', () => {
  // The fast lane leaves these to node:http's lane, which asks the target again; its HTTP client
  // refuses all three (as the client's 502 page shows: that is what node:http's lane makes of
  // them when it meets them itself).
  it.each([
    [
      'duplicate Content-Length',
      1,
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhelloXY',
    ],
    ['a bare LF inside the head', 2, 'HTTP/1.1 200 OK\r\nContent-Length: 5\nX-Smuggled: 1\r\n\r\nhello'],
    ['bare LFs only', 3, 'HTTP/1.1 200 OK\nContent-Length: 5\nX-Smuggled: 1\n\nhello'],
  ])(
    "%s: the client gets node:http's 502, never the ambiguous head, and the proxy keeps serving",
    async (_, n, answer) => {
      const path = `/user/alice/odd-head-${n}`;
      alice.respond = (request, socket) => {
        if (request.path === path) socket.write(answer, 'latin1');
        else answerWhatCame(request, socket);
      };
      const client = await connect();
      client.write(request(path, AUTH));
      const [got] = await client.answers(['GET']);
      expect(got!.status).toBe(502);
      expect(got!.body).toMatch(/alice's server is not responding/);
      expect(byNodeHttp(got!)).toBe(true);
      expect(client.text).toBe(got!.raw);
      expect(client.text).not.toMatch(/[^\r]\n|X-Smuggled|hello/);
      // Asked by the fast lane, then again by node:http's lane.
      expect(alice.seen(path)).toHaveLength(2);

      const other = await connect();
      other.write(request('/user/alice/still-serving', AUTH));
      const [fine] = await other.answers(['GET']);
      expect(fine!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/still-serving' }));
    },
  );

  it('leaves an interim (1xx) answer to node:http, which passes on the final one', async () => {
    const final = ok('after the hints');
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/hints') return answerWhatCame(request, socket);
      socket.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' + final, 'latin1');
    };
    const client = await connect();
    client.write(request('/user/alice/hints', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(answer!.status).toBe(200);
    expect(answer!.body).toBe('after the hints');
    expect(byNodeHttp(answer!)).toBe(true);
    expect(alice.seen('/user/alice/hints')).toHaveLength(2);
  });
});

describe('answers cut short or broken mid-body', () => {
  it.each([
    // The target closes its connection after the first two; the malformed one stays open: the
    // proxy must not wait for more.
    ['Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'c'.repeat(100), true],
    [
      'chunked',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n' + 'c'.repeat(100) + '\r\n',
      true,
    ],
    [
      'chunked, with a malformed size line',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n',
      false,
    ],
  ])('%s: the client is cut off too, never given a complete answer', async (_, answer, targetCloses) => {
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/cut-short') return answerWhatCame(request, socket);
      socket.write(answer, 'latin1');
      if (targetCloses) setTimeout(() => socket.end(), 20);
    };
    const client = await connect();
    client.write(request('/user/alice/cut-short', AUTH));
    await client.closes();
    expect(readAnswers(client.text, ['GET'], false)).toEqual([]);
    expect(answer.startsWith(client.text)).toBe(true);

    const other = await connect();
    other.write(request('/user/alice/after-cut', AUTH));
    const [fine] = await other.answers(['GET']);
    expect(fine!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-cut' }));
  });

  it('passes a 4 MB answer with Content-Length on byte for byte', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 11)) & 0xff;
    const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
    alice.respond = (request, socket) => {
      if (request.path !== '/user/alice/big') return answerWhatCame(request, socket);
      socket.write(head, 'latin1');
      socket.write(body);
    };
    const client = await connect();
    client.write(request('/user/alice/big', AUTH) + request('/user/alice/after-big', AUTH));
    const [big, next] = await client.answers(['GET', 'GET'], 20_000);
    expect(big!.raw).toBe(head + body.toString('latin1'));
    expect(next!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/after-big' }));
  });
});

describe("request heads left to node:http's parser", () => {
  it.each([
    ['obs-fold', 'GET /hub/folded HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n 2\r\n\r\n'],
    ['a bare LF inside the head', 'GET /hub/lf HTTP/1.1\r\nHost: localhost\nX-A: 1\r\n\r\n'],
    ['bare LFs only', 'GET /hub/lf-only HTTP/1.1\nHost: localhost\n\n'],
  ])('%s: 400 from node:http, and nothing reaches the target', async (_, bytes) => {
    const path = bytes.split(' ')[1]!;
    const client = await connect();
    client.write(bytes);
    await client.until('a status line', () => client.text.includes('\r\n'));
    const statusLine = client.text.slice(0, client.text.indexOf('\r\n'));
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(statusLine).toBe(await plainNodeHttpStatusLine(bytes));
    await client.closes();
    expect(hub.seen(path)).toEqual([]);
  });

  it.each([
    ['in one write', 1, []],
    ['in 5 KB pieces', 2, [5_120, 10_240, 15_360]],
    ['as 17 KB and then the rest', 3, [17_408]],
  ])('a 20 KB head %s: 431 from node:http, and nothing reaches the target', async (_, n, cuts) => {
    const path = `/hub/big-head-${n}`;
    const bytes = request(path, `X-Big: ${'b'.repeat(20 * 1024)}\r\n`);
    const client = await connect();
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      client.write(bytes.slice(from, cut));
      from = cut;
      // Each piece arrives on its own.
      await sleep(10);
    }
    await client.until('a status line', () => client.text.includes('\r\n'));
    const statusLine = client.text.slice(0, client.text.indexOf('\r\n'));
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(statusLine).toBe(await plainNodeHttpStatusLine(bytes));
    expect(hub.seen(path)).toEqual([]);
  });
});

describe('what the target sees and what comes back, on the fast lane', () => {
  it("strips the hub's cookies, puts the server token in and sets X-Forwarded-*", async () => {
    const path = '/user/alice/api/contents?type=directory&x=%2F';
    const client = await connect();
    client.write(
      `GET ${path} HTTP/1.1\r\n` +
        'Host: course.example.org:8443\r\n' +
        'User-Agent: fast-lane-test\r\n' +
        `Authorization: token ${LET_ME_IN}\r\n` +
        'Cookie: coursehub-session=s1.sig; _xsrf=2|ab|cd|99; coursehub-oauth-state=zz; theme=dark\r\n' +
        'X-Coursehub-User: mallory\r\n' +
        'Connection: keep-alive, X-Hop\r\n' +
        'X-Hop: hop-value\r\n' +
        'Keep-Alive: timeout=5\r\n' +
        'X-Forwarded-For: 203.0.113.9\r\n' +
        'Accept: application/json\r\n' +
        '\r\n',
    );
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    const [seen] = alice.seen('/user/alice/api/contents?type=directory&x=%2F');
    expect(seen!.raw).toBe(
      `GET ${path} HTTP/1.1\r\n` +
        'host: course.example.org:8443\r\n' +
        'user-agent: fast-lane-test\r\n' +
        'accept: application/json\r\n' +
        `authorization: token ${ALICE_SERVER_TOKEN}\r\n` +
        'cookie: _xsrf=2|ab|cd|99; theme=dark\r\n' +
        'x-forwarded-for: 203.0.113.9, 127.0.0.1\r\n' +
        'x-forwarded-proto: http\r\n' +
        'x-forwarded-host: course.example.org:8443\r\n' +
        '\r\n',
    );
  });

  it("passes the hub's own route its cookies untouched, with no credential rewrite", async () => {
    const client = await connect();
    client.write(
      'GET /hub/home HTTP/1.1\r\nHost: course.example.org\r\nCookie: coursehub-session=s1.sig; theme=dark\r\n\r\n',
    );
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    expect(hub.seen('/hub/home').at(-1)!.raw).toBe(
      'GET /hub/home HTTP/1.1\r\n' +
        'host: course.example.org\r\n' +
        'cookie: coursehub-session=s1.sig; theme=dark\r\n' +
        'x-forwarded-for: 127.0.0.1\r\n' +
        'x-forwarded-proto: http\r\n' +
        'x-forwarded-host: course.example.org\r\n' +
        '\r\n',
    );
  });

  it("filters a user server's Set-Cookie of coursehub-* cookies, and not the hub's", async () => {
    const cookies =
      'Set-Cookie: coursehub-session=planted; Path=/\r\nSet-Cookie: own=1; Path=/user/alice/\r\nSet-Cookie: coursehub-other=x\r\n';
    const answerWithCookies: Respond = (_request, socket) => socket.write(ok('ok', cookies), 'latin1');
    alice.respond = answerWithCookies;
    hub.respond = answerWithCookies;
    const client = await connect();
    client.write(request('/user/alice/set-cookies', AUTH) + request('/hub/set-cookies'));
    const [fromAlice, fromHub] = await client.answers(['GET', 'GET']);
    expect([byNodeHttp(fromAlice!), byNodeHttp(fromHub!)]).toEqual([false, false]);
    expect(values(fromAlice!, 'set-cookie')).toEqual(['own=1; Path=/user/alice/']);
    expect(fromAlice!.head).not.toMatch(/coursehub-/);
    expect(fromAlice!.body).toBe('ok');
    expect(values(fromHub!, 'set-cookie')).toEqual([
      'coursehub-session=planted; Path=/',
      'own=1; Path=/user/alice/',
      'coursehub-other=x',
    ]);
  });

  it("moves the route's last activity", async () => {
    const route = proxy.routes.get('/user/alice/')!;
    const longAgo = Date.now() - 3_600_000;
    route.lastActivity = longAgo;
    const before = Date.now();
    const client = await connect();
    client.write(request('/user/alice/activity', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(byNodeHttp(answer!)).toBe(false);
    expect(route.lastActivity).toBeGreaterThanOrEqual(before);
  });
});

describe('verdicts and failures left to node:http', () => {
  it('sends a visitor without a credential to the login page, and the connection goes on', async () => {
    const client = await connect();
    client.write(request('/user/alice/tree?x=1'));
    const [redirect] = await client.answers(['GET']);
    expect(redirect!.status).toBe(302);
    expect(values(redirect!, 'location')).toEqual([
      `/hub/login?next=${encodeURIComponent('/user/alice/tree?x=1')}`,
    ]);
    expect(alice.seen('/user/alice/tree?x=1')).toEqual([]);
    client.write(request('/user/alice/tree', AUTH));
    const [, answer] = await client.answers(['GET', 'GET']);
    expect(answer!.body).toBe(bodyFor({ method: 'GET', path: '/user/alice/tree' }));
  });

  it("answers node:http's 502 page when the user's server is down, and keeps serving", async () => {
    const client = await connect();
    client.write(request('/user/dora/lab', AUTH));
    const [answer] = await client.answers(['GET']);
    expect(answer!.status).toBe(502);
    expect(answer!.body).toMatch(/dora's server is not responding/);
    client.write(request('/hub/after-down'));
    const [, after] = await client.answers(['GET', 'GET']);
    expect(after!.body).toBe(bodyFor({ method: 'GET', path: '/hub/after-down' }));
  });
});

describe('a client that goes away', () => {
  it("closes the target's connection when the client disconnects while its request is there", async () => {
    let targetSide: net.Socket | undefined;
    alice.respond = (request, socket) => {
      if (request.path === '/user/alice/never') targetSide = socket;
      else answerWhatCame(request, socket);
    };
    const client = await connect();
    client.write(request('/user/alice/never', AUTH));
    await waitFor('the request at the target', () => targetSide !== undefined);
    const closed: Promise<unknown> = targetSide!.closed ? Promise.resolve() : once(targetSide!, 'close');
    client.destroy();
    await within("the target's connection to close", closed);
  });
});
