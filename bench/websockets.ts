// Opens and holds N idle websockets through coursehub's proxy (each a logged-in user's kernel
// channel to a websocket server standing in for Jupyter) and prints the proxy process's memory
// before and with them open; then every socket sends a message that must come back.
//
//   npm run bench:websockets              (N = 1000; scripts/test runs this in CI)
//   npm run bench:websockets -- 10000     (or WS_COUNT=10000; goal: < 500 MB at 10,000)
//
// It exits non-zero when a socket does not open, closes while held, or does not echo, so a broken
// proxy fails CI; there is no assertion on time or memory (the machine is shared).
//
// Every socket costs a file descriptor here, in the proxy (two) and in the server: N=10,000 needs
// `ulimit -n` above 20,000 for the proxy. The hub is a stand-in answering the proxy's one
// authorize call (the proxy caches it); the hub is not what is measured.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { signSessionCookie } from '../src/hub/auth/session-cookie.js';
import { ProxyClient } from '../src/hub/proxy/client.js';
import { PROXY_NODE_FLAGS } from '../src/hub/proxy/lifecycle.js';
import { children, freePort, serveCoursehubProxy, startChild } from './support/processes.js';

const COOKIE_SECRET = 'd'.repeat(64);
const PROXY_SECRET = 'bench-ws-proxy-secret-0123456789';
const SELF = fileURLToPath(import.meta.url);
const OPEN_TIMEOUT_MS = 120_000;
/** One socket that neither opens nor fails within this is a failure, not a hang. */
const SOCKET_TIMEOUT_MS = 30_000;

async function serveEcho(port: number): Promise<void> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  server.listen(port, '127.0.0.1', () => process.send?.('ready'));
}

function rssMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kilobytes / 1024;
}

function open(url: string, cookie: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      headers: { cookie },
      perMessageDeflate: false,
      handshakeTimeout: SOCKET_TIMEOUT_MS,
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', (error) => reject(new Error(`${url}: ${error.message}`)));
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`${url}: HTTP ${response.statusCode}`));
      socket.terminate();
    });
  });
}

/** Sends `text` and waits for the echo server to send it back on the same socket. */
function roundTrip(socket: WebSocket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no echo of "${text}" within ${SOCKET_TIMEOUT_MS} ms`)),
      SOCKET_TIMEOUT_MS,
    );
    socket.once('message', (data) => {
      clearTimeout(timer);
      if (String(data) === text) resolve();
      else reject(new Error(`sent "${text}", got "${String(data)}" back`));
    });
    socket.send(text);
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? process.env.WS_COUNT ?? 1000);
  if (!Number.isInteger(count) || count < 1 || count > 20_000) throw new Error('N must be 1..20000');
  const hub = http.createServer((request, response) => {
    const ok = request.headers['x-coursehub-proxy-secret'] === PROXY_SECRET;
    response.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { allowed: true, user: 'bench' } : { status: 403 }));
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  const hubPort = (hub.address() as AddressInfo).port;
  const [echoPort, proxyPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const sockets: WebSocket[] = [];
  try {
    await startChild(SELF, ['echo', String(echoPort)]);
    const proxy = await startChild(
      SELF,
      ['proxy', String(proxyPort), String(apiPort), String(hubPort)],
      [...PROXY_NODE_FLAGS],
    );
    await new ProxyClient(`http://127.0.0.1:${apiPort}`, PROXY_SECRET).addUserServer({
      user: 'bench',
      url: `http://127.0.0.1:${echoPort}`,
      serverToken: 'bench-server-token',
    });
    const cookie = `coursehub-session=${signSessionCookie('bench-session', COOKIE_SECRET)}`;
    const before = rssMegabytes(proxy.pid!);
    const started = Date.now();
    let closedEarly = 0;
    // Open in batches of 200, so the test measures holding sockets, not a connect storm.
    for (let opened = 0; opened < count;) {
      const batch = Math.min(200, count - opened);
      const url = (i: number) => `ws://127.0.0.1:${proxyPort}/user/bench/api/kernels/k${i}/channels`;
      const fresh = await Promise.all(Array.from({ length: batch }, (_, i) => open(url(opened + i), cookie)));
      for (const socket of fresh) socket.once('close', () => closedEarly++);
      sockets.push(...fresh);
      opened += batch;
      if (Date.now() - started > OPEN_TIMEOUT_MS) throw new Error(`only ${opened} opened in time`);
    }
    const openSeconds = (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = rssMegabytes(proxy.pid!);
    if (closedEarly > 0) throw new Error(`${closedEarly} of ${count} websockets closed while held`);
    // Proof that they are all live: a message round trip on every one, 200 at a time.
    const echoStarted = Date.now();
    for (let first = 0; first < count; first += 200)
      await Promise.all(
        sockets.slice(first, first + 200).map((socket, i) => roundTrip(socket, `probe ${first + i}`)),
      );
    const echoSeconds = (Date.now() - echoStarted) / 1000;
    console.log(
      `opened ${count} websockets through the proxy in ${openSeconds.toFixed(1)} s; all ${count} echoed a message in ${echoSeconds.toFixed(1)} s`,
    );
    console.log(`proxy RSS before: ${before.toFixed(1)} MB`);
    console.log(`proxy RSS per websocket: ${(((held - before) * 1024) / count).toFixed(1)} KB`);
    console.log(`proxy RSS with ${count} idle websockets: ${held.toFixed(1)} MB`);
  } finally {
    for (const socket of sockets) socket.removeAllListeners('close').terminate();
    hub.close();
    for (const child of children) child.kill('SIGTERM');
  }
}

const role = process.argv[2];
// A child whose parent went away (Ctrl-C, crash) goes too: nothing is left listening.
if (process.send) process.on('disconnect', () => process.exit(0));
if (role === 'echo') await serveEcho(Number(process.argv[3]));
else if (role === 'proxy')
  await serveCoursehubProxy(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), {
    cookieSecret: COOKIE_SECRET,
    proxySecret: PROXY_SECRET,
  });
else
  await main().catch((error: unknown) => {
    // The last line says what broke; the exit status makes CI red.
    console.error(
      `websockets through the proxy FAILED: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  });
