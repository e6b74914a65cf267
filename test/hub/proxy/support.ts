// Real pieces for the proxy tests: user servers (node http + ws, as the proxy sees a Jupyter
// server: HTTP plus websocket under /user/NAME/), and a real hub app (Fastify with the login,
// REST API and proxy areas, built through the composition root, src/app/) on SQLite, answering
// every other /hub/ path with {hub: true} so a test can see what reached the hub.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { registerHubAreas } from '../../../src/app/build-hub.js';
import { buildHubServices } from '../../../src/app/services.js';
import { configSchema } from '../../../src/config/schema.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/database.js';
import type { SessionStore } from '../../../src/hub/auth/session-store.js';
import { verifySessionCookie } from '../../../src/hub/auth/session-cookie.js';
import { ProxyClient } from '../../../src/hub/proxy/client.js';
import { hubOracle } from '../../../src/hub/proxy/hub-oracle.js';
import {
  startProxyProcess,
  type ProxyProcessOptions,
  type RunningProxy,
} from '../../../src/hub/proxy/proxy-process.js';
import type { TokenService } from '../../../src/hub/tokens/index.js';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeUserServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A user server that answers every request with what it received, and echoes websockets. */
export async function startUserServer(name: string): Promise<FakeUserServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const record = { method: request.method ?? '', url: request.url ?? '', headers: request.headers };
    seen.push(record);
    const body = JSON.stringify({ server: name, ...record });
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
    // A hostile server trying to plant a hub session next to its own harmless cookie.
    if (request.url?.endsWith('/set-cookies')) {
      headers['set-cookie'] = ['coursehub-session=planted; Path=/', `${name}-own=1; Path=/user/${name}/`];
    }
    // Nameless cookies: a browser stores `=a=b` as a cookie without a name and sends it back as
    // the bare `a=b`, so each of these would come back to the hub as its session cookie.
    if (request.url?.endsWith('/set-nameless-cookies')) {
      headers['set-cookie'] = [
        '=coursehub-session=planted; Path=/',
        ' =coursehub-session=planted; Path=/',
        '  = coursehub-session=planted; Path=/',
        'coursehub-session; Path=/',
        `${name}-own=2; Path=/user/${name}/`,
      ];
    }
    response.writeHead(200, headers);
    response.end(body);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, request) => {
    seen.push({ method: 'WS', url: request.url ?? '', headers: request.headers });
    socket.send(JSON.stringify({ server: name, url: request.url, headers: request.headers }));
    socket.on('message', (data) => socket.send(`echo:${String(data)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A migrated in-memory database holding the users the proxy's hub-side tests use: alice and bob
 * (students) and boss (an admin).
 */
export async function databaseWithTestUsers(): Promise<DatabaseHandle> {
  const handle = openDatabase({ url: ':memory:' });
  await migrateToLatest(handle.db);
  const created = new Date().toISOString();
  for (const [name, admin] of [
    ['alice', 0],
    ['bob', 0],
    ['boss', 1],
  ] as const)
    await handle.db.insertInto('users').values({ name, admin, created }).execute();
  return handle;
}

export const COOKIE_SECRET = 'c'.repeat(64);
export const PROXY_SECRET = 'proxy-secret-for-tests-0123456789';

export interface TestHub {
  url: string;
  port: number;
  handle: DatabaseHandle;
  sessions: SessionStore;
  tokens: TokenService;
  /** Session cookie value for a new login of `user`. */
  login(user: string): Promise<{ cookie: string; sessionId: string }>;
  stop(): Promise<void>;
  /** Starts the hub app again on the same port and database (after stop()). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestHub(options: {
  proxyApiUrl: string;
  adminAccess?: boolean;
  port?: number;
  proxySecret?: string;
}): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'coursehub-proxy-hub-'));
  const handle = openDatabase({ url: join(dir, 'hub.sqlite') });
  await migrateToLatest(handle.db);
  const created = new Date().toISOString();
  for (const [name, admin] of [
    ['alice', 0],
    ['bob', 0],
    ['root-admin', 1],
  ] as const) {
    await handle.db.insertInto('users').values({ name, admin, created }).execute();
  }
  const secret = options.proxySecret ?? PROXY_SECRET;
  const services = await buildHubServices(
    {
      config: configSchema.parse({
        hub: { cookieSecret: COOKIE_SECRET, dataDir: join(dir, 'data') },
        proxy: { adminAccess: options.adminAccess ?? false },
      }),
      db: handle.db,
      log: pino({ level: 'silent' }),
    },
    { auth: { env: {} }, proxy: { client: new ProxyClient(options.proxyApiUrl, secret), secret } },
  );
  const { sessions, tokens } = services;
  let app: FastifyInstance | undefined;
  let port = options.port ?? 0;

  async function start(): Promise<void> {
    app = Fastify({ logger: false });
    await registerHubAreas(app, services, ['login', 'api', 'proxy']);
    app.get('/hub/*', async (request) => ({ hub: true, url: request.url }));
    await app.listen({ port, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  }
  async function stop(): Promise<void> {
    await app?.close();
    app = undefined;
  }
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    handle,
    sessions,
    tokens,
    async login(user) {
      const session = await sessions.create(user);
      return { cookie: session.cookieValue, sessionId: session.sessionId };
    },
    stop,
    start,
    async close() {
      await stop();
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A free loopback port (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A raw HTTP request (no URL normalization on the client side, any Host header). */
export function rawRequest(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: base.hostname,
      port: base.port,
      method,
      path,
      headers,
      agent: false,
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.end();
  });
}

/** Opens a websocket; resolves with the socket and its first message, or rejects with the HTTP status. */
export function openWebSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: WebSocket; first: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('message', (data) =>
      resolve({ socket, first: JSON.parse(String(data)) as Record<string, unknown> }),
    );
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`));
      response.resume();
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

export function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('message', (data) => resolve(String(data)));
    socket.once('error', reject);
  });
}

/** A websocket upgrade request sent as is (the `ws` client would normalize the path first). */
export function rawUpgradeStatus(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<number> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: base.hostname,
      port: base.port,
      path,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    request.on('error', reject);
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.end();
  });
}

/**
 * A real proxy process in front of a hub at `hubUrl`, asking that hub about visitors with the
 * tests' secrets; `overrides` for what one test needs otherwise (cache times, ports, secret).
 */
export function startProxyForHub(
  hubUrl: string,
  overrides: Partial<ProxyProcessOptions> = {},
): Promise<RunningProxy> {
  const apiSecret = overrides.apiSecret ?? PROXY_SECRET;
  return startProxyProcess({
    ip: '127.0.0.1',
    port: 0,
    apiIp: '127.0.0.1',
    apiPort: 0,
    defaultTarget: hubUrl,
    apiSecret,
    oracle: hubOracle({ hubApiUrl: `${hubUrl}/hub/api`, proxySecret: apiSecret }),
    verifySessionCookie: (value) => verifySessionCookie(value, COOKIE_SECRET),
    ...overrides,
  });
}
