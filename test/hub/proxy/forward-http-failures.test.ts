// The proxy's HTTP forwarding (src/hub/proxy/forward-http.ts, on undici) between real sockets, when
// things go wrong: a client that goes away (before, during the answer, mid-upload) aborts the
// upstream request; an upstream that is down (503 JSON, 502 HTML for a user's server, dying
// mid-answer) leaves the proxy serving; and a slow-reading client does not make the proxy buffer
// a 50 MB answer (its memory measured in its child process). The proxy and its target are in
// forward-http-support.ts.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support.js';
import {
  api,
  handlers,
  LET_ME_IN,
  MB,
  proxyMemory,
  proxyUrl,
  send,
  sha256,
  useForwardHttpProxy,
  waitFor,
  within,
  writeRepeated,
} from './forward-http-support.js';

useForwardHttpProxy();

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
