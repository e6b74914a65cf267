/**
 * Forwards a websocket upgrade as two piped TCP sockets: the proxy writes the (rewritten)
 * upgrade request to the target and from then on copies bytes both ways without parsing
 * websocket frames. Cheaper in CPU and memory than terminating the websocket with `ws` on each
 * side (bench/websockets.ts measures the memory), and it needs nothing from the hub, which is
 * why an open kernel websocket does not notice a hub restart.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { forwardedHeaders, type ForwardFailure, type ForwardRewrite } from './forward-http.js';
import type { Route } from './route-table.js';

function requestHead(request: IncomingMessage, path: string, rewrite: ForwardRewrite | undefined): string {
  const headers = forwardedHeaders(request, rewrite, true);
  const lines = [`${request.method ?? 'GET'} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      // Incoming header values cannot hold CR/LF (Node's parser refuses them); values the proxy
      // adds (server token, filtered cookie) are checked here so none can split the request.
      const text = String(one);
      if (/[\r\n]/.test(text)) throw new Error(`header ${name} holds a line break`);
      lines.push(`${name}: ${text}`);
    }
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

export function forwardUpgrade(
  request: IncomingMessage,
  client: Duplex,
  head: Buffer,
  route: Route,
  pathAndQuery: string,
  rewrite: ForwardRewrite | undefined,
  onFailure: (failure: ForwardFailure) => void,
): void {
  const target = route.target;
  const basePath = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  const upstream = net.connect({ host: target.hostname, port: Number(target.port || 80) });
  let connected = false;
  const recordActivity = (): void => {
    route.lastActivity = Date.now();
  };
  upstream.on('connect', () => {
    connected = true;
    upstream.setNoDelay(true);
    upstream.setKeepAlive(true, 30_000);
    try {
      upstream.write(requestHead(request, basePath + pathAndQuery, rewrite));
    } catch (error) {
      upstream.destroy();
      onFailure({ route, error: error as Error });
      return;
    }
    if (head.length > 0) upstream.write(head);
    upstream.on('data', recordActivity);
    client.on('data', recordActivity);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (error) => {
    if (!connected) onFailure({ route, error });
    else client.destroy();
  });
  upstream.on('close', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}
