// Shared set-up for the HTTP forwarding tests (forward-http-*.test.ts): the real proxy
// (startProxyProcess, in a child process of its own, forward-http-proxy.ts, so its memory can be
// measured) in front of a real node:http target on 127.0.0.1 whose answer per path each test sets,
// and node:http clients and raw sockets to drive it. Bodies are random bytes; what arrives is
// compared with what was sent by sha256.
//
// Each test file calls useForwardHttpProxy() once at its top: it starts that file's own proxy and
// target (vitest runs each file in a worker of its own, with its own copy of this module).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { ProxyClient } from '../../../src/hub/proxy/client.js';

export const MB = 1024 * 1024;
const API_SECRET = 'forward-http-test-secret-0123456789';
/** The token the child proxy's oracle lets into any user's server (see forward-http-proxy.ts). */
export const LET_ME_IN = 'let-me-in';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** The target's answer per path; each test sets the ones it needs. */
export const handlers = new Map<string, Handler>();
let target: http.Server;
let proxyChild: ChildProcess;
/** The proxy's public URL, and a client of its API, set by useForwardHttpProxy(). */
export let proxyUrl: string;
export let api: ProxyClient;

export function sha256(data: Buffer | Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of Array.isArray(data) ? data : [data]) hash.update(part);
  return hash.digest('hex');
}

export function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Resolves when `check` holds (polled), rejects with `what` after `ms`. */
export async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Rejects with `what` if `promise` has not settled after `ms`. */
export function within<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export function answerOf(request: http.ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request.on('error', reject);
    request.on('response', (response) => {
      readAll(response).then(
        (body) =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            body,
          }),
        reject,
      );
    });
  });
}

/** A request through the proxy, on a connection of its own. */
export function send(
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer; agent?: http.Agent } = {},
): Promise<Answer> {
  const url = new URL(proxyUrl);
  const request = http.request({
    host: url.hostname,
    port: url.port,
    path,
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    agent: options.agent ?? false,
  });
  const answer = answerOf(request);
  request.end(options.body);
  return answer;
}

/** Header values by lower-case name, from a raw header list. */
export function headerValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2)
    if (rawHeaders[i]!.toLowerCase() === name) values.push(rawHeaders[i + 1]!);
  return values;
}

/**
 * Writes `requests` to one raw connection to the proxy, the last one `GET /marker`, and returns
 * every byte received until the marker's body: so whatever the proxy sent between the answers
 * (a body where there must be none) is in the text.
 */
export async function rawExchange(requests: string[]): Promise<string> {
  const url = new URL(proxyUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(requests.join('') + 'GET /marker HTTP/1.1\r\nHost: localhost\r\n\r\n');
  let text = '';
  try {
    await within(
      'the marker answer',
      new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
          if (text.endsWith(MARKER)) resolve();
        });
        socket.on('error', reject);
        socket.on('close', () => reject(new Error(`connection closed; got ${JSON.stringify(text)}`)));
      }),
    );
  } finally {
    socket.destroy();
  }
  return text;
}

export const MARKER = 'MARKER-END';

/** Splits raw answers: [head, everything after its blank line]. */
export function splitHead(text: string): [string, string] {
  const end = text.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  return [text.slice(0, end), text.slice(end + 4)];
}

export function rawHeaderValues(head: string, name: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])
    .filter(([lineName]) => lineName === name)
    .map(([, value]) => value!);
}

/** Writes `total` bytes of `block` repeated, honouring backpressure; counts what res.write took. */
export async function writeRepeated(
  response: http.ServerResponse,
  block: Buffer,
  total: number,
  progress: { sent: number } = { sent: 0 },
): Promise<void> {
  const slice = 64 * 1024;
  while (progress.sent < total && !response.destroyed) {
    const offset = progress.sent % block.length;
    const piece = block.subarray(
      offset,
      Math.min(offset + slice, block.length, offset + total - progress.sent),
    );
    progress.sent += piece.length;
    if (!response.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
  }
  if (!response.destroyed) response.end();
}

export function proxyMemory(): Promise<NodeJS.MemoryUsage> {
  return within(
    "the proxy's memory figures",
    new Promise((resolve) => {
      proxyChild.once('message', (message) => resolve((message as { memory: NodeJS.MemoryUsage }).memory));
      proxyChild.send('memory');
    }),
  );
}

/**
 * Starts the target and the proxy before the calling file's tests and stops them after; before each
 * test, clears the handlers but for GET /marker (see rawExchange). Call once, at the top of a test
 * file.
 */
export function useForwardHttpProxy(): void {
  beforeAll(async () => {
    target = http.createServer((request, response) => {
      const handler = handlers.get((request.url ?? '').split('?')[0]!);
      if (handler) return handler(request, response);
      response.writeHead(404, { 'content-length': 0 });
      response.end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;

    proxyChild = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        import.meta.resolve('tsx'),
        join(import.meta.dirname, 'forward-http-proxy.ts'),
        targetUrl,
        API_SECRET,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const [ready] = (await within('the proxy to start', once(proxyChild, 'message'), 60_000)) as [
      { publicUrl: string; apiUrl: string },
    ];
    proxyUrl = ready.publicUrl;
    api = new ProxyClient(ready.apiUrl, API_SECRET);
  });

  afterAll(async () => {
    if (proxyChild && proxyChild.exitCode === null) {
      const exited = once(proxyChild, 'exit');
      proxyChild.disconnect();
      await within('the proxy to exit', exited).catch(() => proxyChild.kill('SIGKILL'));
    }
    target?.closeAllConnections();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
  });

  beforeEach(() => {
    handlers.clear();
    handlers.set('/marker', (_request, response) => {
      response.writeHead(200, { 'content-length': MARKER.length });
      response.end(MARKER);
    });
  });
}

/** What the target saw of a request with a body. */
export interface SeenUpload {
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  hash: string;
  length: number;
}

/** A target handler that reads the whole body and answers 200 `stored`. */
export function storeUploads(into: SeenUpload[], onChunk?: (bytes: number) => void): Handler {
  return (request, response) => {
    const hash = createHash('sha256');
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
      onChunk?.(length);
    });
    request.on('end', () => {
      into.push({
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        hash: hash.digest('hex'),
        length,
      });
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 6 });
      response.end('stored');
    });
  };
}
