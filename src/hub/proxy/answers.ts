/**
 * The proxy's own answers (refusals, redirects, "server not running"), as a small HTML page for
 * browsers and JupyterHub-style JSON `{status, message}` for API clients, and the same as raw
 * bytes on a socket for refused websocket upgrades.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wantsHtml(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** `homeUrl`: the hub's home page (BASE/hub/home), linked from the HTML answer. */
export function sendAnswer(
  request: IncomingMessage,
  response: ServerResponse,
  homeUrl: string,
  status: number,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  const title = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  const html = wantsHtml(request);
  const body = html
    ? `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>` +
      `<p><a href="${escapeHtml(homeUrl)}">Go to the hub home page</a></p></body></html>`
    : JSON.stringify({ status, message });
  response.writeHead(status, {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

export function redirect(
  response: ServerResponse,
  location: string,
  extraHeaders: Record<string, string> = {},
): void {
  response.writeHead(302, { location, 'content-length': 0, 'cache-control': 'no-store', ...extraHeaders });
  response.end();
}

/**
 * Answers on the raw connection (no request object: a refused websocket upgrade, a head that
 * could not be read) with JupyterHub-style JSON, and closes it.
 */
export function answerOnSocket(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ status, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** Refuses a websocket upgrade with a plain HTTP answer and closes the socket. */
export const refuseUpgrade = answerOnSocket;
