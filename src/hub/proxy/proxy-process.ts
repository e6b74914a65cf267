/**
 * The proxy as a whole: the public server users reach, the API server the hub talks to, the
 * routing table and the login cache they share. `coursehub proxy` (src/cli/proxy.ts) runs this in
 * its own process; tests and benchmarks run it in theirs.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
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
import { createHttpsRedirectServer } from './https-redirect.js';
import { loadTlsPair } from './tls-pair.js';
import { watchTlsPair, type TlsReloader } from './tls-reload.js';

/** https served by the proxy itself (config section `https`). */
export interface ProxyTlsOptions {
  certFile: string;
  keyFile: string;
  /** A plain-HTTP port that redirects to https (0 or absent: none). */
  redirectPort?: number;
  /** Strict-Transport-Security max-age; 0: no header. */
  hstsMaxAgeSeconds: number;
  /** How often the pair's files are checked for a renewal. */
  reloadIntervalMs: number;
}

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
  /** Serve https on ip:port from this pair (checked before listening: tls-pair.ts). */
  tls?: ProxyTlsOptions | undefined;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface RunningProxy {
  publicUrl: string;
  apiUrl: string;
  /** The plain-HTTP redirect listener's URL, when https.redirectPort is set. */
  redirectUrl?: string;
  /** With https: reloads the pair now (SIGHUP) and tells the fingerprint served. */
  tls?: Pick<TlsReloader, 'reload' | 'fingerprint'>;
  routes: RouteTable;
  gate: AccessGate;
  close(): Promise<void>;
}

function listen(server: Server, port: number, ip: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo, scheme = 'http'): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
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
  // Checked before anything listens: a bad pair stops the start with its message.
  const tls = options.tls;
  const pair = tls ? loadTlsPair(tls.certFile, tls.keyFile) : undefined;
  const judge = createGatekeeper({
    routes,
    gate,
    baseUrl,
    publicUrl: options.publicUrl,
    tls: tls !== undefined,
  });
  // HSTS on every answer over https (a browser then never tries plain http to this host again).
  const hsts = tls && tls.hstsMaxAgeSeconds > 0 ? `max-age=${tls.hstsMaxAgeSeconds}` : undefined;
  const ownHeaders: Record<string, string> = hsts ? { 'strict-transport-security': hsts } : {};
  const answerHeaders = hsts ? ['strict-transport-security', hsts] : undefined;
  const homeUrl = new HubUrls(baseUrl).hub('home');
  const unreachable = unreachableServerAnswers({ checkServer: options.checkServer, baseUrl, log });

  const failureMessage = ({ route, error }: ForwardFailure): string => {
    log('upstream unreachable', { route: route.path, error: error.message });
    return route.data.user
      ? `${route.data.user}'s server is not responding; it may have stopped. Restart it from the hub home page.`
      : 'The hub is not responding (it may be restarting). Try again in a few seconds.';
  };

  const act = (request: http.IncomingMessage, response: http.ServerResponse, verdict: Verdict): void => {
    if (verdict.kind === 'redirect') return redirect(response, verdict.location, ownHeaders);
    if (verdict.kind === 'answer') {
      request.resume();
      return sendAnswer(request, response, homeUrl, verdict.status, verdict.message, {
        ...verdict.headers,
        ...ownHeaders,
      });
    }
    verdict.route.lastActivity = Date.now();
    const rewrite = answerHeaders ? { ...verdict.rewrite, answerHeaders } : verdict.rewrite;
    forwardHttp(request, response, verdict.route, verdict.pathAndQuery, rewrite, (failure) =>
      unreachable.http(request, response, failure.route, verdict.pathAndQuery, () =>
        sendAnswer(
          request,
          response,
          homeUrl,
          failure.route.data.user ? 502 : 503,
          failureMessage(failure),
          ownHeaders,
        ),
      ),
    );
  };
  const fail = (response: http.ServerResponse, request: http.IncomingMessage, error: unknown): void => {
    log('proxy error', { error: String(error) });
    if (!response.headersSent) sendAnswer(request, response, homeUrl, 500, 'Proxy error.', ownHeaders);
  };

  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
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
  };
  // With https, TLS ends here and everything below (both lanes) reads the decrypted stream.
  const publicServer: http.Server = pair
    ? https.createServer({ cert: pair.cert, key: pair.key }, onRequest)
    : http.createServer(onRequest);
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
  // Over https node:http takes connections once their handshake is done ('secureConnection'),
  // and so does the fast lane: it reads the decrypted stream.
  const connectionEvent = pair ? 'secureConnection' : 'connection';
  const nodeHttpConnections = publicServer.listeners(connectionEvent);
  if (nodeHttpConnections.length !== 1) throw new Error('unexpected node:http connection listeners');
  const toNodeHttp = nodeHttpConnections[0] as (this: http.Server, socket: Socket) => void;
  publicServer.removeListener(connectionEvent, toNodeHttp);
  const fastLane = new FastLane({
    judge,
    handOff(socket, unread) {
      toNodeHttp.call(publicServer, socket);
      if (unread.length > 0) socket.emit('data', unread);
    },
    ...(hsts ? { answerHeadText: `strict-transport-security: ${hsts}\r\n` } : {}),
  });
  publicServer.on(connectionEvent, (socket: Socket) => fastLane.accept(socket));

  const apiServer = createApiServer({ routes, gate, secret: options.apiSecret, log });
  const redirectServer = tls?.redirectPort ? createHttpsRedirectServer(options.port) : undefined;
  const servers: Server[] = [publicServer, apiServer, ...(redirectServer ? [redirectServer] : [])];
  const publicAddress = await listen(publicServer, options.port, options.ip);
  let apiAddress: AddressInfo;
  let redirectAddress: AddressInfo | undefined;
  try {
    apiAddress = await listen(apiServer, options.apiPort, options.apiIp);
    if (redirectServer) redirectAddress = await listen(redirectServer, tls!.redirectPort!, options.ip);
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }
  const reloader =
    pair && tls
      ? watchTlsPair(publicServer as https.Server, tls, pair, { intervalMs: tls.reloadIntervalMs, log })
      : undefined;
  const publicUrl = urlOf(publicAddress, pair ? 'https' : 'http');
  log('proxy listening', {
    public: publicUrl,
    api: urlOf(apiAddress),
    ...(redirectAddress ? { redirect: urlOf(redirectAddress) } : {}),
    ...(pair ? { fingerprint: pair.fingerprint, validTo: pair.validTo } : {}),
  });

  return {
    publicUrl,
    apiUrl: urlOf(apiAddress),
    ...(redirectAddress ? { redirectUrl: urlOf(redirectAddress) } : {}),
    ...(reloader ? { tls: reloader } : {}),
    routes,
    gate,
    async close() {
      reloader?.stop();
      for (const socket of upgraded) socket.destroy();
      fastLane.closeAll();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              (server as http.Server).closeAllConnections();
            }),
        ),
      );
      for (const socket of upgraded) socket.destroy();
      closeForwardAgents();
    },
  };
}
