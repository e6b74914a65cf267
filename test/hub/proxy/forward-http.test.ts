// The proxy's HTTP forwarding (src/hub/proxy/forward-http.ts, on undici) between real sockets: the
// real proxy (startProxyProcess, in a child process of its own so its memory can be measured)
// in front of a real node:http target on 127.0.0.1, driven by node:http clients and raw sockets.
// Bodies are random bytes; what arrives is compared with what was sent by sha256.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import { freePort } from './support.js';

const MB = 1024 * 1024;
const API_SECRET = 'forward-http-test-secret-0123456789';
/** The token the child proxy's oracle lets into any user's server (see forward-http-proxy.ts). */
const LET_ME_IN = 'let-me-in';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** The target's answer per path; each test sets the ones it needs. */
const handlers = new Map<string, Handler>();
let target: http.Server;
let targetUrl: string;
let proxyChild: ChildProcess;
let proxyUrl: string;
let api: ProxyClient;

function sha256(data: Buffer | Buffer[]): string {
  const hash = createHash('sha256');
  for (const part of Array.isArray(data) ? data : [data]) hash.update(part);
  return hash.digest('hex');
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Resolves when `check` holds (polled), rejects with `what` after `ms`. */
async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Rejects with `what` if `promise` has not settled after `ms`. */
function within<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

function answerOf(request: http.ClientRequest): Promise<Answer> {
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
function send(
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
function headerValues(rawHeaders: string[], name: string): string[] {
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
async function rawExchange(requests: string[]): Promise<string> {
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

const MARKER = 'MARKER-END';

/** Splits raw answers: [head, everything after its blank line]. */
function splitHead(text: string): [string, string] {
  const end = text.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  return [text.slice(0, end), text.slice(end + 4)];
}

function rawHeaderValues(head: string, name: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])
    .filter(([lineName]) => lineName === name)
    .map(([, value]) => value!);
}

/** Writes `total` bytes of `block` repeated, honouring backpressure; counts what res.write took. */
async function writeRepeated(
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

function proxyMemory(): Promise<NodeJS.MemoryUsage> {
  return within(
    "the proxy's memory figures",
    new Promise((resolve) => {
      proxyChild.once('message', (message) => resolve((message as { memory: NodeJS.MemoryUsage }).memory));
      proxyChild.send('memory');
    }),
  );
}

beforeAll(async () => {
  target = http.createServer((request, response) => {
    const handler = handlers.get((request.url ?? '').split('?')[0]!);
    if (handler) return handler(request, response);
    response.writeHead(404, { 'content-length': 0 });
    response.end();
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;

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

/** What the target saw of a request with a body. */
interface SeenUpload {
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  hash: string;
  length: number;
}

/** A target handler that reads the whole body and answers 200 `stored`. */
function storeUploads(into: SeenUpload[], onChunk?: (bytes: number) => void): Handler {
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

describe('request bodies', () => {
  it('passes a 5 MB POST body on byte for byte', async () => {
    const body = randomBytes(5 * MB);
    const seen: SeenUpload[] = [];
    handlers.set('/upload', storeUploads(seen));

    const answer = await send('/upload?kind=post', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      body,
    });

    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('stored');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.length).toBe(5 * MB);
    expect(seen[0]!.hash).toBe(sha256(body));
    expect(seen[0]!.headers['content-length']).toBe(String(5 * MB));
  });

  it('streams a chunked PUT (no Content-Length) through whole', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => randomBytes(1_000 + i * 7_919));
    const seen: SeenUpload[] = [];
    let received = 0;
    handlers.set(
      '/upload',
      storeUploads(seen, (bytes) => (received = bytes)),
    );

    const url = new URL(proxyUrl);
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: '/upload?kind=chunked',
      method: 'PUT',
      headers: { 'transfer-encoding': 'chunked' },
      agent: false,
    });
    const answer = answerOf(request);
    request.write(parts[0]);
    // The proxy streams: the target has the first chunk before the client has sent the rest.
    await waitFor('the first chunk at the target', () => received >= parts[0]!.length);
    for (const part of parts.slice(1)) {
      request.write(part);
      await sleep(2);
    }
    request.end();

    expect((await answer).status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.length).toBe(parts.reduce((sum, part) => sum + part.length, 0));
    expect(seen[0]!.hash).toBe(sha256(parts));
    expect(seen[0]!.headers['content-length']).toBeUndefined();
    // Re-framed by the proxy's own client: one Transfer-Encoding, not the client's on top of it.
    expect(headerValues(seen[0]!.rawHeaders, 'transfer-encoding')).toEqual(['chunked']);
  });

  it('answers Expect: 100-continue and then passes the body on', async () => {
    const body = randomBytes(256 * 1024);
    const seen: SeenUpload[] = [];
    handlers.set('/upload', storeUploads(seen));

    const url = new URL(proxyUrl);
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: '/upload?kind=expect',
      method: 'POST',
      headers: { expect: '100-continue', 'content-length': body.length },
      agent: false,
    });
    const answer = answerOf(request);
    let continued = false;
    // The body goes only after the 100 Continue: without it the request would never complete.
    request.on('continue', () => {
      continued = true;
      request.end(body);
    });
    request.flushHeaders();

    const { status } = await within('the answer to the expect request', answer);
    expect(continued).toBe(true);
    expect(status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.hash).toBe(sha256(body));
    // The proxy has answered the expectation itself; the body it sends upstream is already there.
    expect(seen[0]!.headers.expect).toBeUndefined();
  });
});

describe('answers', () => {
  const block = randomBytes(MB);
  const eightMbHash = sha256(Array.from({ length: 8 }, () => block));

  it('streams an 8 MB chunked answer through whole', async () => {
    handlers.set('/download', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      void writeRepeated(response, block, 8 * MB);
    });
    const answer = await send('/download');
    expect(answer.status).toBe(200);
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    expect(answer.body.length).toBe(8 * MB);
    expect(sha256(answer.body)).toBe(eightMbHash);
  });

  it('streams an 8 MB answer with Content-Length through whole', async () => {
    handlers.set('/download', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 8 * MB });
      void writeRepeated(response, block, 8 * MB);
    });
    const answer = await send('/download');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe(String(8 * MB));
    expect(answer.headers['transfer-encoding']).toBeUndefined();
    expect(answer.body.length).toBe(8 * MB);
    expect(sha256(answer.body)).toBe(eightMbHash);
  });

  it('gives HEAD the headers and no body', async () => {
    const methods: string[] = [];
    handlers.set('/file', (request, response) => {
      methods.push(request.method ?? '');
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12_345, etag: '"v7"' });
      response.end(request.method === 'HEAD' ? undefined : 'x'.repeat(12_345));
    });
    const text = await rawExchange(['HEAD /file HTTP/1.1\r\nHost: localhost\r\n\r\n']);
    const [head, rest] = splitHead(text);
    expect(head.startsWith('HTTP/1.1 200')).toBe(true);
    expect(rawHeaderValues(head, 'content-length')).toEqual(['12345']);
    expect(rawHeaderValues(head, 'etag')).toEqual(['"v7"']);
    expect(methods).toEqual(['HEAD']);
    // Not one byte between the HEAD answer's head and the next answer.
    expect(rest.startsWith('HTTP/1.1 200')).toBe(true);
    expect(rest.endsWith(`\r\n\r\n${MARKER}`)).toBe(true);
  });

  it.each([
    [204, 'No Content'],
    [304, 'Not Modified'],
  ])('passes %i on with no body', async (status) => {
    handlers.set('/empty', (_request, response) => {
      response.writeHead(status, { etag: '"v9"', 'x-kind': 'empty' });
      response.end();
    });
    const text = await rawExchange(['GET /empty HTTP/1.1\r\nHost: localhost\r\n\r\n']);
    const [head, rest] = splitHead(text);
    expect(head.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    expect(rawHeaderValues(head, 'x-kind')).toEqual(['empty']);
    expect(rawHeaderValues(head, 'transfer-encoding')).toEqual([]);
    expect(rest.startsWith('HTTP/1.1 200')).toBe(true);
    expect(rest.endsWith(`\r\n\r\n${MARKER}`)).toBe(true);
  });
});

describe('headers', () => {
  it('drops hop-by-hop headers on the way in and sets X-Forwarded-*', async () => {
    const seen: SeenUpload[] = [];
    handlers.set('/upload', storeUploads(seen));
    const body = randomBytes(10_000);
    const answer = await send('/upload?kind=headers', {
      method: 'POST',
      headers: {
        host: 'course.example.org:8443',
        connection: 'keep-alive, X-Hop-Req, x-hop-two',
        'x-hop-req': 'secret-1',
        'x-hop-two': 'secret-2',
        'keep-alive': 'timeout=9, max=77',
        upgrade: 'h2c',
        te: 'trailers',
        'proxy-authorization': 'Basic c2VjcmV0',
        'proxy-connection': 'keep-alive',
        'transfer-encoding': 'chunked',
        'x-end-to-end': 'kept',
      },
      body,
    });
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
    const { headers, rawHeaders, hash } = seen[0]!;
    expect(hash).toBe(sha256(body));
    expect(headers['x-end-to-end']).toBe('kept');
    for (const name of ['x-hop-req', 'x-hop-two', 'keep-alive', 'upgrade', 'te', 'proxy-authorization'])
      expect(headers[name], name).toBeUndefined();
    expect(headers['proxy-connection']).toBeUndefined();
    expect(String(headers.connection ?? '').toLowerCase()).not.toMatch(/hop/);
    // One framing of the body, the proxy's own: the client's Transfer-Encoding is not added to it
    // (a body that has fully arrived before it is sent on goes with a Content-Length).
    const framing = [
      ...headerValues(rawHeaders, 'transfer-encoding'),
      ...headerValues(rawHeaders, 'content-length'),
    ];
    expect(framing).toHaveLength(1);
    expect(['chunked', String(body.length)]).toContain(framing[0]);
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('course.example.org:8443');
    expect(headers.host).toBe('course.example.org:8443');
  });

  it('appends the client to an X-Forwarded-For it brings', async () => {
    const seen: SeenUpload[] = [];
    handlers.set('/upload', storeUploads(seen));
    await send('/upload?kind=xff', {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.7', 'content-length': 0 },
    });
    expect(seen[0]!.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('drops hop-by-hop headers of the answer', async () => {
    handlers.set('/hops', (_request, response) => {
      response.writeHead(200, [
        'Connection',
        'X-Hop-Resp, x-hop-two',
        'X-Hop-Resp',
        'secret-3',
        'X-Hop-Two',
        'secret-4',
        'Keep-Alive',
        'timeout=7, max=99',
        'Upgrade',
        'h2c',
        'Proxy-Authenticate',
        'Basic realm="x"',
        'Trailer',
        'X-Checksum',
        'TE',
        'trailers',
        'Transfer-Encoding',
        'chunked',
        'X-End-To-End',
        'kept',
        'Content-Type',
        'text/plain',
      ]);
      response.write('hello ');
      response.end('world');
    });
    const answer = await send('/hops');
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('hello world');
    expect(answer.headers['x-end-to-end']).toBe('kept');
    const names = answer.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    for (const name of ['x-hop-resp', 'x-hop-two', 'upgrade', 'proxy-authenticate', 'trailer', 'te'])
      expect(names, name).not.toContain(name);
    // The proxy's own server may say keep-alive for its own connection, never the target's values.
    expect(headerValues(answer.rawHeaders, 'keep-alive').join()).not.toMatch(/max=99|timeout=7/);
    expect(headerValues(answer.rawHeaders, 'connection').join().toLowerCase()).not.toMatch(/hop/);
    expect(headerValues(answer.rawHeaders, 'transfer-encoding')).toEqual(['chunked']);
  });
});

describe('a client that goes away', () => {
  it('aborts the upstream request when the client disconnects mid-answer', async () => {
    let targetClosed: (finished: boolean) => void;
    const closed = new Promise<boolean>((resolve) => (targetClosed = resolve));
    handlers.set('/endless', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write(Buffer.alloc(64 * 1024, 'a'));
      const timer = setInterval(() => response.write(Buffer.alloc(1024, 'b')), 20);
      response.on('close', () => {
        clearInterval(timer);
        targetClosed(response.writableFinished);
      });
    });
    const url = new URL(proxyUrl);
    const request = http.get({ host: url.hostname, port: url.port, path: '/endless', agent: false });
    request.on('error', () => {});
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    await once(response, 'data');
    request.destroy();
    expect(await within("the target's answer to close", closed, 5_000)).toBe(false);
  });

  it('aborts the upstream request when the client disconnects before the answer', async () => {
    let arrived = false;
    let targetClosed: () => void;
    const closed = new Promise<void>((resolve) => (targetClosed = resolve));
    handlers.set('/never', (_request, response) => {
      arrived = true;
      response.on('close', () => targetClosed());
    });
    const url = new URL(proxyUrl);
    const request = http.get({ host: url.hostname, port: url.port, path: '/never', agent: false });
    request.on('error', () => {});
    await waitFor('the request at the target', () => arrived);
    request.destroy();
    await within("the target's request to close", closed, 5_000);
  });

  it('aborts the upstream request when the client disconnects mid-upload', async () => {
    let received = 0;
    let ended = false;
    let targetClosed: () => void;
    const closed = new Promise<void>((resolve) => (targetClosed = resolve));
    handlers.set('/upload', (request, response) => {
      request.on('data', (chunk: Buffer) => (received += chunk.length));
      request.on('end', () => (ended = true));
      response.on('close', () => targetClosed());
    });
    const url = new URL(proxyUrl);
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: '/upload?kind=abandoned',
      method: 'POST',
      headers: { 'content-length': 10 * MB },
      agent: false,
    });
    request.on('error', () => {});
    request.write(randomBytes(MB));
    await waitFor('the first megabyte at the target', () => received >= MB);
    request.destroy();
    await within("the target's request to close", closed, 5_000);
    expect(ended).toBe(false);
    expect(received).toBeLessThan(10 * MB);
  });
});

describe('an upstream that is down', () => {
  let downUrl: string;
  beforeAll(async () => {
    downUrl = `http://127.0.0.1:${await freePort()}`;
    await api.addRoute('/services/down/', downUrl);
    await api.addRoute('/user/alice/', downUrl, { user: 'alice' });
  });

  it("answers 503 for the hub's (or a service's) route, as JSON", async () => {
    const answer = await send('/services/down/api/x');
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body.toString())).toEqual({
      status: 503,
      message: expect.stringMatching(/not responding/) as string,
    });
  });

  it("answers 502 for a user's server, as HTML to a browser, and keeps serving", async () => {
    const answer = await send('/user/alice/lab', {
      headers: { authorization: `token ${LET_ME_IN}`, accept: 'text/html' },
    });
    expect(answer.status).toBe(502);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.body.toString()).toMatch(/alice&#39;s server is not responding/);
    handlers.set('/alive', (_request, response) => response.end('alive'));
    const after = await send('/alive');
    expect(after.status).toBe(200);
    expect(after.body.toString()).toBe('alive');
  });

  it('answers a POST with a body 503 and keeps the connection usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const failed = await send('/services/down/upload', {
        method: 'POST',
        headers: { 'content-length': MB },
        body: randomBytes(MB),
        agent,
      });
      expect(failed.status).toBe(503);
      handlers.set('/alive', (_request, response) => response.end('alive'));
      const after = await send('/alive', { agent });
      expect(after.status).toBe(200);
      expect(after.body.toString()).toBe('alive');
    } finally {
      agent.destroy();
    }
  });

  // A chunked answer cut short must reach the client cut short too, not with a final chunk that
  // would make the truncated body look complete.
  it.each([
    ['chunked', {}],
    ['with Content-Length', { 'content-length': MB }],
  ])('cuts the client off when the upstream dies mid-answer (%s), and keeps serving', async (_, extra) => {
    handlers.set('/dies', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', ...extra });
      response.write(Buffer.alloc(64 * 1024, 'a'), () => setTimeout(() => response.socket?.destroy(), 50));
    });
    const url = new URL(proxyUrl);
    const request = http.get({ host: url.hostname, port: url.port, path: '/dies', agent: false });
    const outcome = new Promise<string>((resolve) => {
      request.on('error', (error) => resolve(`error: ${error.message}`));
      request.on('response', (response) => {
        let length = 0;
        response.on('data', (chunk: Buffer) => (length += chunk.length));
        response.on('aborted', () => resolve(`aborted after ${length}`));
        response.on('error', (error) => resolve(`error after ${length}: ${error.message}`));
        response.on('end', () => resolve(`complete: ${length}`));
      });
    });
    const result = await within('the client to see the end of the answer', outcome, 5_000);
    expect(result).not.toMatch(/^complete/);
    handlers.set('/alive', (_request, response) => response.end('alive'));
    expect((await send('/alive')).body.toString()).toBe('alive');
  });
});

describe('a slow-reading client', () => {
  it('does not make the proxy buffer a 50 MB answer the client does not read', async () => {
    const block = randomBytes(MB);
    const total = 50 * MB;
    const progress = { sent: 0 };
    let targetDone = false;
    handlers.set('/huge', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
      void writeRepeated(response, block, total, progress).then(() => (targetDone = true));
    });
    // Warm up the path (first request, pool, parser) so the baseline is not the cold process.
    await send('/marker');
    const before = await proxyMemory();

    const url = new URL(proxyUrl);
    const request = http.get({ host: url.hostname, port: url.port, path: '/huge', agent: false });
    const [response] = (await once(request, 'response')) as [http.IncomingMessage];
    response.pause();
    // The target writes until every buffer on the way is full, then waits: it has stalled once
    // its count stands still for a second.
    let last = -1;
    let stillSince = Date.now();
    await waitFor(
      'the target to stall',
      () => {
        if (progress.sent !== last) {
          last = progress.sent;
          stillSince = Date.now();
        }
        return targetDone || Date.now() - stillSince > 1_000;
      },
      30_000,
    );
    const stalled = progress.sent;
    const during = await proxyMemory();
    expect(targetDone).toBe(false);
    expect(stalled).toBeLessThan(total);
    // With the answer buffered in the proxy, its heap outside V8 would hold what the target sent
    // beyond what the sockets' kernel buffers take: tens of megabytes.
    expect(during.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * MB);
    expect(during.rss - before.rss).toBeLessThan(25 * MB);

    // The client reads again: everything arrives, in order.
    const hash = createHash('sha256');
    let length = 0;
    response.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    response.resume();
    await within('the rest of the answer', once(response, 'end'), 30_000);
    expect(length).toBe(total);
    expect(hash.digest('hex')).toBe(sha256(Array.from({ length: 50 }, () => block)));
    console.log(
      `slow reader: target stalled after ${(stalled / MB).toFixed(1)} MB; proxy arrayBuffers ` +
        `+${((during.arrayBuffers - before.arrayBuffers) / MB).toFixed(1)} MB, rss +${((during.rss - before.rss) / MB).toFixed(1)} MB`,
    );
  });
});
