/**
 * What the proxy benchmarks share: each runs its servers (targets, coursehub's proxy) as child
 * processes of its own script, so the process being measured is alone in its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySessionCookie } from '../../src/hub/auth/session-cookie.js';
import { hubOracle } from '../../src/hub/proxy/hub-oracle.js';
import { startProxyProcess } from '../../src/hub/proxy/proxy-process.js';

export interface BenchSecrets {
  cookieSecret: string;
  proxySecret: string;
}

/** Runs coursehub's proxy in this process and tells the parent (over IPC) when it listens. */
export async function serveCoursehubProxy(
  port: number,
  apiPort: number,
  hubPort: number,
  secrets: BenchSecrets,
  tls?: { certFile: string; keyFile: string },
): Promise<void> {
  await startProxyProcess({
    ...(tls ? { tls: { ...tls, hstsMaxAgeSeconds: 31536000, reloadIntervalMs: 60_000 } } : {}),
    ip: '127.0.0.1',
    port,
    apiIp: '127.0.0.1',
    apiPort,
    defaultTarget: `http://127.0.0.1:${hubPort}`,
    apiSecret: secrets.proxySecret,
    oracle: hubOracle({ hubApiUrl: `http://127.0.0.1:${hubPort}/hub/api`, proxySecret: secrets.proxySecret }),
    verifySessionCookie: (value) => verifySessionCookie(value, secrets.cookieSecret),
  });
  process.send?.('ready');
}

export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Child processes started by `startChild`, for the caller to stop at the end. */
export const children: ChildProcess[] = [];

/**
 * Runs `script` again as a child with `args`; resolves once the child says it is ready.
 * `nodeArgs` go to that child's node only (e.g. `--cpu-prof` to profile the proxy alone).
 */
export function startChild(script: string, args: string[], nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, ...nodeArgs, script, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}
