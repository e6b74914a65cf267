// The target's answer to a websocket upgrade, as the browser gets it through the proxy: a user
// server's 101 (or refusal) must not set hub cookies, its own cookies pass, hop-by-hop headers
// stay behind, and websocket bytes that arrive with (or after a split) answer head still flow.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import type { RunningProxy } from '../../../src/hub/proxy/proxy-process.js';
import { PROXY_SECRET, freePort, startProxyForHub, startTestHub, type TestHub } from './support.js';

const PLANTED = ['coursehub-session=planted; Path=/', 'coursehub-xsrf=planted; Path=/hub/'];
const OWN = ['_xsrf=jupyter-own; Path=/user/alice/', 'alice-own=1; Path=/user/alice/'];

let proxy: RunningProxy;
let hub: TestHub;
let server: http.Server;
/** Upgraded sockets leave the server's books; kept here so the end of the tests can close them. */
const upgraded = new Set<Socket>();
let cookie: string;

/** The accept key of RFC 6455 4.2.2, for the hand-written 101 answers below. */
function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/** One unmasked text frame (server to client), short payloads only. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

/**
 * Alice's server: `ws` answers /ws with a 101 carrying hub and own cookies plus a private
 * hop-by-hop header; /raw-* are written by hand to put the first frame in the same write as the
 * head, to split the head across writes, or to refuse the upgrade with cookies.
 */
async function startAliceServer(): Promise<http.Server> {
  const httpServer = http.createServer((_request, response) => response.end('not a websocket'));
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => {
    const connection = headers.findIndex((line) => /^connection:/i.test(line));
    headers.splice(connection, 1, 'Connection: Upgrade, X-Hop-Secret');
    headers.push('X-Hop-Secret: for-the-proxy-only', 'Keep-Alive: timeout=5');
    for (const value of [...PLANTED, ...OWN]) headers.push(`Set-Cookie: ${value}`);
  });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));
  httpServer.on('upgrade', (request, socket: Socket, head: Buffer) => {
    upgraded.add(socket);
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const key = String(request.headers['sec-websocket-key']);
    const accepted = [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
      ...[...PLANTED, ...OWN].map((value) => `Set-Cookie: ${value}`),
    ].join('\r\n');
    if (path.endsWith('/raw-with-frame')) {
      socket.write(Buffer.concat([Buffer.from(`${accepted}\r\n\r\n`), textFrame('hello in the same write')]));
    } else if (path.endsWith('/raw-split')) {
      const whole = `${accepted}\r\n\r\n`;
      socket.write(whole.slice(0, 40));
      setTimeout(() => socket.write(whole.slice(40, -1)), 30);
      setTimeout(() => socket.write(Buffer.concat([Buffer.from('\n'), textFrame('after a split head')])), 60);
    } else if (path.endsWith('/raw-refused')) {
      socket.end(
        'HTTP/1.1 403 Forbidden\r\n' +
          [...PLANTED, ...OWN].map((value) => `Set-Cookie: ${value}\r\n`).join('') +
          'Content-Type: text/plain\r\nContent-Length: 7\r\nConnection: close\r\n\r\nrefused',
      );
    } else {
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    }
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return httpServer;
}

beforeAll(async () => {
  const hubPort = await freePort();
  proxy = await startProxyForHub(`http://127.0.0.1:${hubPort}`);
  hub = await startTestHub({ proxyApiUrl: proxy.apiUrl, port: hubPort });
  server = await startAliceServer();
  const { port } = server.address() as AddressInfo;
  await new ProxyClient(proxy.apiUrl, PROXY_SECRET).addUserServer({
    user: 'alice',
    url: `http://127.0.0.1:${port}`,
    serverToken: 'alice-server-token',
  });
  cookie = `coursehub-session=${(await hub.login('alice')).cookie}`;
});

afterAll(async () => {
  await proxy?.close();
  await hub?.close();
  for (const socket of upgraded) socket.destroy();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

interface Opened {
  socket: WebSocket;
  headers: http.IncomingHttpHeaders;
  /** Messages received so far (the first may come with the 101). */
  messages: string[];
}

/** Opens a websocket through the proxy as alice's browser, keeping the 101's headers. */
function open(path: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(proxy.publicUrl.replace('http:', 'ws:') + path, { headers: { cookie } });
    const messages: string[] = [];
    let headers: http.IncomingHttpHeaders = {};
    socket.on('message', (data) => messages.push(String(data)));
    socket.once('upgrade', (response) => (headers = response.headers));
    socket.once('open', () => resolve({ socket, headers, messages }));
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`));
      response.resume();
    });
    socket.once('error', reject);
  });
}

async function waitForMessage(opened: Opened, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (opened.messages.length < count) {
    if (Date.now() > deadline) throw new Error(`got ${opened.messages.length} messages, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a user server's answer to a websocket upgrade", () => {
  it("drops the hub's cookies and hop-by-hop headers from a 101, keeps the server's own cookies", async () => {
    const opened = await open('/user/alice/api/kernels/k1/channels');
    expect(opened.headers['set-cookie']).toEqual(OWN);
    expect(opened.headers['x-hop-secret']).toBeUndefined();
    expect(opened.headers['keep-alive']).toBeUndefined();
    expect(opened.headers.upgrade).toBe('websocket');
    opened.socket.send('1+1');
    await waitForMessage(opened, 1);
    expect(opened.messages).toEqual(['echo:1+1']);
    opened.socket.close();
  });

  it('passes a websocket frame that came in the same write as the 101', async () => {
    const opened = await open('/user/alice/raw-with-frame');
    expect(opened.headers['set-cookie']).toEqual(OWN);
    await waitForMessage(opened, 1);
    expect(opened.messages).toEqual(['hello in the same write']);
    opened.socket.terminate();
  });

  it('puts a 101 head together that came in several writes', async () => {
    const opened = await open('/user/alice/raw-split');
    expect(opened.headers['set-cookie']).toEqual(OWN);
    await waitForMessage(opened, 1);
    expect(opened.messages).toEqual(['after a split head']);
    opened.socket.terminate();
  });

  it("drops the hub's cookies from a refused upgrade too, and passes the refusal on", async () => {
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
      (resolve, reject) => {
        const request = http.request(`${proxy.publicUrl}/user/alice/raw-refused`, {
          agent: false,
          headers: {
            cookie,
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          },
        });
        request.on('error', reject);
        request.on('upgrade', () => reject(new Error('upgraded')));
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += String(chunk)));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        });
        request.end();
      },
    );
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toEqual(OWN);
    expect(answer.body).toBe('refused');
  });
});
