/**
 * The proxy's REST API, configurable-http-proxy's, on its own loopback port, for the hub only:
 * every call needs `Authorization: token SECRET`.
 *   GET    /api/routes[?inactive_since=ISO]   the table (server tokens never shown)
 *   GET    /api/routes/PATH                   one route, 404 when absent
 *   POST   /api/routes/PATH  {target, ...}    add or replace (201)
 *   DELETE /api/routes/PATH                   remove (204, also when absent, as CHP)
 *   POST   /api/revocations {sessions?, tokens?, users?}   forget cached logins (coursehub's own)
 * Small enough that a framework would add more than it saves; it sits on node:http.
 */
import { timingSafeEqual, createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AccessGate, Revocation } from './access-gate.js';
import { InvalidRouteError } from './errors.js';
import type { RouteTable } from './route-table.js';

export interface ApiServerOptions {
  routes: RouteTable;
  gate: AccessGate;
  secret: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const MAX_BODY = 64 * 1024;

/**
 * Every answer names this proxy process (a new id each start), so the hub can tell a proxy that
 * was restarted between two of its checks, and lost its routes, from the one it synced.
 */
export const PROXY_INSTANCE_HEADER = 'x-coursehub-proxy-instance';

function sameSecret(given: string, secret: string): boolean {
  // Hash both first so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

function send(response: http.ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function readJson(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new InvalidRouteError(`Request body over ${MAX_BODY} bytes.`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(
          new InvalidRouteError('Request body is not JSON.', { hint: 'Send {"target": "http://..."}.' }),
        );
      }
    });
  });
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new InvalidRouteError(`"${field}" must be a list of strings.`);
  }
  return value as string[];
}

export function createApiServer(options: ApiServerOptions): http.Server {
  const { routes, gate, secret } = options;
  const log = options.log ?? (() => {});

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const auth = /^token\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (auth === undefined || !sameSecret(auth, secret)) {
      send(response, 403, { status: 403, message: 'The proxy API needs Authorization: token SECRET.' });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://proxy.invalid');
    const method = request.method ?? 'GET';
    if (url.pathname === '/api/revocations' && method === 'POST') {
      const body = (await readJson(request)) as Record<string, unknown>;
      const revocation: Revocation = {};
      const sessions = stringList(body.sessions, 'sessions');
      const tokens = stringList(body.tokens, 'tokens');
      const users = stringList(body.users, 'users');
      if (sessions) revocation.sessions = sessions;
      if (tokens) revocation.tokens = tokens;
      if (users) revocation.users = users;
      send(response, 200, { removed: gate.revoke(revocation) });
      return;
    }
    if (url.pathname !== '/api/routes' && !url.pathname.startsWith('/api/routes/')) {
      send(response, 404, { status: 404, message: `No API endpoint ${url.pathname}.` });
      return;
    }
    const routePath = decodeURIComponent(url.pathname.slice('/api/routes'.length)) || '/';
    if (method === 'GET' && url.pathname === '/api/routes') {
      const since = url.searchParams.get('inactive_since');
      const date = since === null ? undefined : new Date(since);
      if (date && Number.isNaN(date.getTime())) {
        send(response, 400, { status: 400, message: `inactive_since "${since}" is not a date.` });
        return;
      }
      send(response, 200, routes.describe(date));
      return;
    }
    if (method === 'GET') {
      const route = routes.get(routePath);
      const shown = route ? routes.describe()[route.path] : undefined;
      if (shown) send(response, 200, shown);
      else send(response, 404, { status: 404, message: `No route ${routePath}.` });
      return;
    }
    if (method === 'POST') {
      const body = await readJson(request);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new InvalidRouteError('Route body must be a JSON object.');
      }
      const { target, ...data } = body as Record<string, unknown>;
      if (typeof target !== 'string') throw new InvalidRouteError('Route body needs a "target" URL.');
      if (data.user !== undefined && typeof data.user !== 'string')
        throw new InvalidRouteError('"user" must be a string.');
      if (
        data.server_token !== undefined &&
        (typeof data.server_token !== 'string' || !/^[\x21-\x7e]+$/.test(data.server_token))
      ) {
        throw new InvalidRouteError('"server_token" must be printable ASCII without spaces.');
      }
      const route = routes.add(routePath, target, data);
      log('route added', { path: route.path, target: route.target.href, user: route.data.user });
      send(response, 201);
      return;
    }
    if (method === 'DELETE') {
      routes.remove(routePath);
      log('route removed', { path: routePath });
      send(response, 204);
      return;
    }
    send(response, 405, { status: 405, message: `${method} is not supported on ${url.pathname}.` });
  }

  const instance = randomUUID();
  return http.createServer((request, response) => {
    response.setHeader(PROXY_INSTANCE_HEADER, instance);
    handle(request, response).catch((error: unknown) => {
      if (error instanceof InvalidRouteError || error instanceof URIError) {
        send(response, 400, {
          status: 400,
          message: error instanceof InvalidRouteError ? error.describe() : 'Malformed route path.',
        });
      } else {
        log('proxy API error', { error: String(error) });
        if (!response.headersSent) send(response, 500, { status: 500, message: 'Proxy API error.' });
      }
    });
  });
}
