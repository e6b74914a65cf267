/**
 * Forwards a websocket upgrade as two piped TCP sockets: the proxy writes the (rewritten)
 * upgrade request to the target, reads the target's answer head (101, or a refusal) and rewrites
 * it as forward-http.ts does an HTTP answer, and from then on copies bytes both ways without
 * parsing websocket frames. Cheaper in CPU and memory than terminating the websocket with `ws`
 * on each side (bench/websockets.ts measures the memory), and it needs nothing from the hub,
 * which is why an open kernel websocket does not notice a hub restart.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { forwardedHeaders, type ForwardFailure, type ForwardRewrite } from './forward-http.js';
import { connectionTokens, isHopByHop } from './hop-headers.js';
import type { Route } from './route-table.js';

/** An answer head larger than this is not a Jupyter server's; the proxy gives up on it. */
const MAX_ANSWER_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

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

/**
 * The target's answer head (status line and headers, without the blank line) as the browser may
 * see it: hop-by-hop headers dropped except Connection and Upgrade, which a 101 needs, and
 * Set-Cookie filtered by the rewrite, so that a user server cannot plant a hub cookie through a
 * websocket answer any more than through an HTTP one. Header bytes are kept as sent (latin1).
 */
export function rewriteAnswerHead(head: string, rewrite: ForwardRewrite | undefined): string {
  const [statusLine = '', ...rawLines] = head.split('\r\n');
  // Obsolete line folding (a line starting with a blank continues the previous header).
  const fields: { name: string; line: string }[] = [];
  for (const line of rawLines) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last.line += ` ${line.trim()}`;
    else
      fields.push({
        name: line
          .slice(0, Math.max(0, line.indexOf(':')))
          .trim()
          .toLowerCase(),
        line,
      });
  }
  const valueOf = (field: { line: string }) => field.line.slice(field.line.indexOf(':') + 1).trim();
  const tokens = connectionTokens(fields.filter((f) => f.name === 'connection').map(valueOf));
  const cookies = fields.filter((f) => f.name === 'set-cookie').map(valueOf);
  const keptCookies = rewrite?.filterSetCookie ? (rewrite.filterSetCookie(cookies) ?? []) : cookies;
  const out = [statusLine];
  let cookiesPlaced = false;
  for (const field of fields) {
    if (field.name === 'set-cookie') {
      // The kept cookies go where the first one was, in their own order.
      if (!cookiesPlaced) for (const cookie of keptCookies) out.push(`Set-Cookie: ${cookie}`);
      cookiesPlaced = true;
      continue;
    }
    if (field.name !== 'connection' && field.name !== 'upgrade' && isHopByHop(field.name, tokens)) continue;
    out.push(field.line);
  }
  return out.join('\r\n');
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
  // 'connecting' -> 'head' (request sent, reading the target's answer head) -> 'piping'.
  let phase: 'connecting' | 'head' | 'piping' | 'failed' = 'connecting';
  const fail = (error: Error): void => {
    if (phase === 'piping' || phase === 'failed') return;
    phase = 'failed';
    client.unpipe(upstream);
    upstream.destroy();
    onFailure({ route, error });
  };
  const recordActivity = (): void => {
    route.lastActivity = Date.now();
  };
  let answer: Buffer = Buffer.alloc(0);
  const readAnswerHead = (chunk: Buffer): void => {
    answer = answer.length === 0 ? chunk : Buffer.concat([answer, chunk]);
    const end = answer.indexOf(HEAD_END);
    if (end === -1) {
      if (answer.length > MAX_ANSWER_HEAD) fail(new Error(`answer head over ${MAX_ANSWER_HEAD} bytes`));
      return;
    }
    phase = 'piping';
    upstream.off('data', readAnswerHead);
    const rewritten = rewriteAnswerHead(answer.subarray(0, end).toString('latin1'), rewrite);
    client.write(Buffer.from(rewritten + '\r\n\r\n', 'latin1'));
    // Bytes after the head (the first websocket frames, or a refusal's body) go as they came.
    if (answer.length > end + HEAD_END.length) client.write(answer.subarray(end + HEAD_END.length));
    answer = Buffer.alloc(0);
    upstream.pipe(client);
  };
  upstream.on('connect', () => {
    phase = 'head';
    upstream.setNoDelay(true);
    upstream.setKeepAlive(true, 30_000);
    try {
      upstream.write(requestHead(request, basePath + pathAndQuery, rewrite));
    } catch (error) {
      fail(error as Error);
      return;
    }
    if (head.length > 0) upstream.write(head);
    upstream.on('data', readAnswerHead);
    upstream.on('data', recordActivity);
    client.on('data', recordActivity);
    client.pipe(upstream);
  });
  upstream.on('error', (error) => {
    if (phase === 'piping') client.destroy();
    else fail(error);
  });
  upstream.on('close', () => {
    if (phase === 'piping') client.destroy();
    else fail(new Error('the server closed the connection before answering'));
  });
  client.on('error', () => upstream.destroy());
  client.on('close', () => {
    // A visitor who left needs no refusal; only the upstream connection is to be closed.
    if (phase !== 'piping') phase = 'failed';
    upstream.destroy();
  });
}
