/**
 * The proxy as a whole: the public server users reach, the API server the hub talks to, the
 * routing table and the login cache they share. `coursehub proxy` (src/cli/proxy.ts) runs this in
 * its own process; tests and benchmarks run it in theirs.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AccessGate, type AccessOracle } from './access-gate.js';
import { sendAnswer, redirect, refuseUpgrade } from './answers.js';
import { createApiServer } from './api-server.js';
import { closeForwardAgents, forwardHttp, type ForwardFailure } from './forward-http.js';
import { forwardUpgrade } from './forward-upgrade.js';
import { FastLane } from './fast-lane.js';
import { createGatekeeper, type Verdict } from './gatekeeper.js';
import type { ServerCheckOracle } from './hub-oracle.js';
import { answerClientError } from './oversized-head.js';
import { RouteTable } from './route-table.js';
import { unreachableServerAnswers } from './unreachable-server.js';
import { HubUrls } from '../urls.js';

export interface ProxyProcessOptions {
  ip: string;
  port: number;
  apiIp: string;
  apiPort: number;
  /** Where everything without a more specific route goes: the hub, e.g. http://127.0.0.1:8081. */
  defaultTarget: string;
  /** The secret the API demands. */
  apiSecret: string;
  oracle: AccessOracle;
  /** Tells the hub a user's server did not answer (hub-oracle.ts's hubServerCheck); none: a bare 502. */
  checkServer?: ServerCheckOracle;
  verifySessionCookie: (value: string) => string | null;
  /** hub.baseUrl ('/' by default): users' servers are under BASE/user/, the hub's pages under BASE/hub/. */
  baseUrl?: string;
  /** hub.publicUrl, when users reach the hub through a TLS front: its origin is the hub's own. */
  publicUrl?: string | undefined;
  authTtlMs?: number;
  authMaxStaleMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningProxy {
  publicUrl: string;
  apiUrl: string;
  routes: RouteTable;
  gate: AccessGate;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, ip: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export async function startProxyProcess(options: ProxyProcessOptions): Promise<RunningProxy> {
  const log = options.log ?? (() => {});
  const baseUrl = options.baseUrl ?? '/';
  const routes = new RouteTable(baseUrl);
  routes.add('/', options.defaultTarget);
  const gate = new AccessGate({
    oracle: options.oracle,
    verifySessionCookie: options.verifySessionCookie,
    ttlMs: options.authTtlMs ?? 30_000,
    maxStaleMs: options.authMaxStaleMs ?? 15 * 60_000,
  });
  const judge = createGatekeeper({ routes, gate, baseUrl, publicUrl: options.publicUrl });
  const homeUrl = new HubUrls(baseUrl).hub('home');
  const unreachable = unreachableServerAnswers({ checkServer: options.checkServer, baseUrl, log });

  const failureMessage = ({ route, error }: ForwardFailure): string => {
    log('upstream unreachable', { route: route.path, error: error.message });
    return route.data.user
      ? `${route.data.user}'s server is not responding; it may have stopped. Restart it from the hub home page.`
      : 'The hub is not responding (it may be restarting). Try again in a few seconds.';
  };

  const act = (request: http.IncomingMessage, response: http.ServerResponse, verdict: Verdict): void => {
    if (verdict.kind === 'redirect') return redirect(response, verdict.location);
    if (verdict.kind === 'answer') {
      request.resume();
      return sendAnswer(request, response, homeUrl, verdict.status, verdict.message, verdict.headers);
    }
    verdict.route.lastActivity = Date.now();
    forwardHttp(request, response, verdict.route, verdict.pathAndQuery, verdict.rewrite, (failure) =>
      unreachable.http(request, response, failure.route, verdict.pathAndQuery, () =>
        sendAnswer(request, response, homeUrl, failure.route.data.user ? 502 : 503, failureMessage(failure)),
      ),
    );
  };
  const fail = (response: http.ServerResponse, request: http.IncomingMessage, error: unknown): void => {
    log('proxy error', { error: String(error) });
    if (!response.headersSent) sendAnswer(request, response, homeUrl, 500, 'Proxy error.');
  };

  const publicServer = http.createServer((request, response) => {
    try {
      const verdict = judge(request, false);
      // A cached login answer gives the verdict at once; only a hub question waits.
      if (verdict instanceof Promise) {
        verdict.then(
          (settled) => {
            try {
              act(request, response, settled);
            } catch (error) {
              fail(response, request, error);
            }
          },
          (error: unknown) => fail(response, request, error),
        );
      } else act(request, response, verdict);
    } catch (error) {
      fail(response, request, error);
    }
  });
  // Upgraded sockets leave the server's books: keep our own so close() can end them.
  const upgraded = new Set<Duplex>();
  publicServer.on('upgrade', (request: http.IncomingMessage, socket, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    Promise.resolve()
      .then(() => judge(request, true))
      .then((verdict) => {
        if (verdict.kind === 'redirect') return refuseUpgrade(socket, 404, 'No such websocket.');
        if (verdict.kind === 'answer') return refuseUpgrade(socket, verdict.status, verdict.message);
        verdict.route.lastActivity = Date.now();
        forwardUpgrade(
          request,
          socket,
          head,
          verdict.route,
          verdict.pathAndQuery,
          verdict.rewrite,
          (failure) =>
            unreachable.upgrade(socket, failure.route, () =>
              refuseUpgrade(socket, 502, failureMessage(failure)),
            ),
        );
      })
      .catch((error: unknown) => {
        log('proxy upgrade error', { error: String(error) });
        socket.destroy();
      });
  });
  // A head it could not read: node:http's answers, but 414 when the request line is too long.
  publicServer.on('clientError', answerClientError);
  // Idle websockets (kernels) stay open for hours: no socket timeout on the public side.
  publicServer.keepAliveTimeout = 65_000;
  // Every connection starts on the fast lane (fast-lane.ts), which hands it to node:http's own
  // connection handling above the first time it meets a request it leaves to that lane. The
  // server still listens itself, so node:http's timeouts and connection books cover what it gets.
  const nodeHttpConnections = publicServer.listeners('connection');
  if (nodeHttpConnections.length !== 1) throw new Error('unexpected node:http connection listeners');
  const toNodeHttp = nodeHttpConnections[0] as (this: http.Server, socket: Socket) => void;
  publicServer.removeListener('connection', toNodeHttp);
  const fastLane = new FastLane({
    judge,
    handOff(socket, unread) {
      toNodeHttp.call(publicServer, socket);
      if (unread.length > 0) socket.emit('data', unread);
    },
  });
  publicServer.on('connection', (socket: Socket) => fastLane.accept(socket));

  const apiServer = createApiServer({ routes, gate, secret: options.apiSecret, log });
  const publicAddress = await listen(publicServer, options.port, options.ip);
  let apiAddress: AddressInfo;
  try {
    apiAddress = await listen(apiServer, options.apiPort, options.apiIp);
  } catch (error) {
    publicServer.close();
    throw error;
  }
  log('proxy listening', { public: urlOf(publicAddress), api: urlOf(apiAddress) });

  return {
    publicUrl: urlOf(publicAddress),
    apiUrl: urlOf(apiAddress),
    routes,
    gate,
    async close() {
      for (const socket of upgraded) socket.destroy();
      fastLane.closeAll();
      await Promise.all(
        [publicServer, apiServer].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      for (const socket of upgraded) socket.destroy();
      closeForwardAgents();
    },
  };
}
