// The proxy's HTTP forwarding (src/hub/proxy/forward-http.ts, on undici) between real sockets, on
// what passes through: request bodies (5 MB POST, chunked PUT streamed, Expect: 100-continue),
// answers (8 MB chunked and with Content-Length, HEAD, 204 and 304 with no body) and headers
// (hop-by-hop dropped both ways, X-Forwarded-*, one body framing). Bodies are random bytes compared
// by sha256; the proxy (a child process) and its target are in forward-http-support.ts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  answerOf,
  handlers,
  headerValues,
  MARKER,
  MB,
  proxyUrl,
  rawExchange,
  rawHeaderValues,
  type SeenUpload,
  send,
  sha256,
  splitHead,
  storeUploads,
  useForwardHttpProxy,
  waitFor,
  within,
  writeRepeated,
} from './forward-http-support.js';

useForwardHttpProxy();

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

  it('replaces an X-Forwarded-For (and -Proto, -Host, -Port) it brings with what the connection says', async () => {
    const seen: SeenUpload[] = [];
    handlers.set('/upload', storeUploads(seen));
    await send('/upload?kind=xff', {
      method: 'POST',
      headers: {
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-port': '1',
        'content-length': 0,
      },
    });
    expect(seen[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen[0]!.headers['x-forwarded-proto']).toBe('http');
    expect(seen[0]!.headers['x-forwarded-host']).toBe(seen[0]!.headers.host);
    expect(seen[0]!.headers['x-forwarded-port']).toMatch(/^\d+$/);
    expect(seen[0]!.headers['x-forwarded-port']).not.toBe('1');
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
