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
import type { ForwardFailure, ForwardRewrite } from './forward-http.js';
import { forwardedHeaderList, requestHeadText } from './request-headers.js';
import { returnedHeaderList } from './response-headers.js';
import { socketAddressOf, type Route } from './route-table.js';

/** An answer head larger than this is not a Jupyter server's; the proxy gives up on it. */
const MAX_ANSWER_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The target's answer head (status line and headers, without the blank line) as the browser may
 * see it: rewritten by the same rules as an HTTP answer (response-headers.ts), except that
 * Connection and Upgrade stay, which a 101 needs. So a user server cannot plant a hub cookie
 * through a websocket answer any more than through an HTTP one. Header bytes are kept as sent
 * (latin1); obsolete line folding (a line starting with a blank) continues the previous header.
 */
export function rewriteAnswerHead(head: string, rewrite: ForwardRewrite | undefined): string {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const raw: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && raw.length > 0) raw[raw.length - 1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) raw.push(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
  }
  const fields = returnedHeaderList(raw, rewrite?.filterSetCookie, true);
  let text = statusLine;
  for (let i = 0; i < fields.length; i += 2) text += `\r\n${fields[i]}: ${fields[i + 1]}`;
  return text;
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
  const upstream = net.connect(socketAddressOf(target));
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
    const fields = forwardedHeaderList(request, rewrite, true);
    upstream.write(requestHeadText(request.method ?? 'GET', basePath + pathAndQuery, fields), 'latin1');
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
