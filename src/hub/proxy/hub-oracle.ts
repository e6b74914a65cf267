/**
 * The proxy's questions to the hub, authenticated with the proxy secret:
 * - "may this credential open OWNER's server SERVER?",
 *   `GET {hubApiUrl}/proxy/authorize?owner=OWNER&server=SERVER` (SERVER '' = the default one).
 *   The credential travels in its own header (never as a Cookie/Authorization header), so the
 *   hub's ordinary session and token hooks do not act on it as if the proxy were that user;
 * - "OWNER's server did not answer: is it still there?", `POST {hubApiUrl}/proxy/unreachable`,
 *   upon which the hub looks at once (and tears down a server that is gone).
 */
import http from 'node:http';
import type { AccessDecision, AccessOracle } from './access-gate.js';

export const PROXY_SECRET_HEADER = 'x-coursehub-proxy-secret';
export const SESSION_COOKIE_HEADER = 'x-coursehub-session-cookie';
export const API_TOKEN_HEADER = 'x-coursehub-api-token';

export interface HubOracleOptions {
  /** e.g. http://127.0.0.1:8081/hub/api */
  hubApiUrl: string;
  proxySecret: string;
  timeoutMs?: number;
}

export function hubOracle(options: HubOracleOptions): AccessOracle {
  const base = new URL(options.hubApiUrl.replace(/\/?$/, '/'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const timeoutMs = options.timeoutMs ?? 3_000;
  return (credential, owner, serverName) =>
    new Promise<AccessDecision>((resolve, reject) => {
      const query = new URLSearchParams({ owner, server: serverName });
      const url = new URL(`proxy/authorize?${query.toString()}`, base);
      const headers: http.OutgoingHttpHeaders = {
        [PROXY_SECRET_HEADER]: options.proxySecret,
        accept: 'application/json',
      };
      if (credential.kind === 'session') headers[SESSION_COOKIE_HEADER] = credential.cookie;
      else headers[API_TOKEN_HEADER] = credential.token;
      const request = http.request(url, { method: 'GET', headers, agent, timeout: timeoutMs });
      request.on('timeout', () => request.destroy(new Error('hub did not answer in time')));
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(new Error(`hub answered ${response.statusCode} to the proxy's authorize call`));
            return;
          }
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AccessDecision;
            if (typeof body.allowed !== 'boolean') throw new Error('no "allowed" field');
            resolve({
              allowed: body.allowed,
              user: typeof body.user === 'string' ? body.user : null,
              ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      request.end();
    });
}

/** What the hub found when the proxy could not reach a server. */
export interface ServerCheckAnswer {
  state: 'running' | 'stopped' | 'pending';
  /** For a stopped server: its memory cap ended it. */
  outOfMemory?: boolean;
}

/** Tells the hub a user's server did not answer; resolves with what the hub found. Throws when the hub cannot be asked. */
export type ServerCheckOracle = (owner: string, serverName: string) => Promise<ServerCheckAnswer>;

export function hubServerCheck(options: HubOracleOptions): ServerCheckOracle {
  const base = new URL(options.hubApiUrl.replace(/\/?$/, '/'));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (owner, serverName) => {
    const query = new URLSearchParams({ owner, server: serverName });
    const response = await fetch(new URL(`proxy/unreachable?${query.toString()}`, base), {
      method: 'POST',
      headers: { [PROXY_SECRET_HEADER]: options.proxySecret, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status !== 200)
      throw new Error(`hub answered ${response.status} to the proxy's unreachable call`);
    const body = (await response.json()) as Partial<ServerCheckAnswer>;
    if (body.state !== 'running' && body.state !== 'stopped' && body.state !== 'pending')
      throw new Error('no "state" in the hub\'s answer');
    return { state: body.state, ...(body.outOfMemory === true ? { outOfMemory: true } : {}) };
  };
}
