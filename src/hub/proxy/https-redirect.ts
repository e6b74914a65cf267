/**
 * The plain-HTTP port beside the https one (https.redirectPort, e.g. 80 beside 443): every
 * request is sent to the same host and path over https, and nothing else is served there, so no
 * page, cookie or credential ever travels in clear. GET and HEAD get 301 (what browsers and
 * search engines remember); other methods 308, which keeps the method and body.
 */
import http from 'node:http';
import { answerClientError } from './oversized-head.js';
import { VALID_HOST } from './gatekeeper.js';

/** `Host` without its port: `example.org:80` -> `example.org`, `[::1]:80` -> `[::1]`. */
function hostName(host: string): string {
  return host.replace(/:\d{1,5}$/, '');
}

export function httpsLocation(host: string, httpsPort: number, target: string): string {
  return `https://${hostName(host)}${httpsPort === 443 ? '' : `:${httpsPort}`}${target}`;
}

export function createHttpsRedirectServer(httpsPort: number): http.Server {
  const server = http.createServer((request, response) => {
    request.resume();
    const host = request.headers.host;
    const target = request.url ?? '/';
    if (host === undefined || !VALID_HOST.test(host) || !target.startsWith('/')) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      response.end('This port only redirects to https; the request had no usable Host or path.\n');
      return;
    }
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    response.writeHead(status, {
      location: httpsLocation(host, httpsPort, target),
      'content-length': 0,
      'cache-control': 'no-store',
    });
    response.end();
  });
  server.on('clientError', answerClientError);
  return server;
}
