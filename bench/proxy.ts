// Small GETs at concurrency 50, side by side in one run: straight to the server ("direct"),
// through configurable-http-proxy 5 (the npm package, same route) and through coursehub's proxy
// (a logged-in user's request to /user/NAME/, so the login check and header rewriting are in the
// path). Each server runs in its own process; autocannon drives the load from this one.
// Prints req/s and p99 latency for each, then on the last line the three medians and the ratios
// (goals: >= 3x CHP's req/s, p99 <= 2x direct).
//
//   npm run bench:proxy        (5 interleaved rounds of 4 s each; BENCH_ROUNDS, BENCH_SECONDS change them)
//   BENCH_PROFILE_DIR=DIR npm run bench:proxy    (also writes a V8 CPU profile of the proxy to DIR)
//   BENCH_TLS=1 npm run bench:proxy    (also coursehub's proxy serving https itself, a self-signed
//                                       pair made with openssl: what TLS costs per request)
//
// The hub is not part of what is measured: a stand-in answers the proxy's one authorize call
// (the proxy caches the answer), so the hub's own speed does not blur the proxy's.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signSessionCookie } from '../src/hub/auth/session-cookie.js';
import { ProxyClient } from '../src/hub/proxy/client.js';
import { PROXY_NODE_FLAGS } from '../src/hub/proxy/lifecycle.js';
import { children, freePort, serveCoursehubProxy, startChild } from './support/processes.js';

const COOKIE_SECRET = 'b'.repeat(64);
const PROXY_SECRET = 'bench-proxy-secret-0123456789abcdef';
const SELF = fileURLToPath(import.meta.url);
const BODY = JSON.stringify({ ok: true, message: 'a small JSON answer, like /api/status' });

// ---- child roles -------------------------------------------------------------------------------

async function serveTarget(port: number): Promise<void> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(BODY),
    });
    response.end(BODY);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => process.send?.('ready'));
}

// ---- orchestration -----------------------------------------------------------------------------

async function startChp(port: number, apiPort: number, target: string): Promise<ChildProcess> {
  const bin = fileURLToPath(
    new URL('../node_modules/configurable-http-proxy/bin/configurable-http-proxy', import.meta.url),
  );
  const child = spawn(
    process.execPath,
    [
      bin,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--api-ip',
      '127.0.0.1',
      '--api-port',
      String(apiPort),
      '--default-target',
      target,
      '--log-level',
      'error',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: PROXY_SECRET },
    },
  );
  children.push(child);
  const client = new ProxyClient(`http://127.0.0.1:${apiPort}`, PROXY_SECRET);
  for (let i = 0; i < 100; i++) {
    if (await client.isRunning().catch(() => false)) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('configurable-http-proxy did not start');
}

/** The stand-in hub: answers the proxy's authorize question for the benchmark user. */
async function startStandInHub(): Promise<{ port: number; close: () => void }> {
  const server = http.createServer((request, response) => {
    const ok = request.headers['x-coursehub-proxy-secret'] === PROXY_SECRET;
    response.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { allowed: true, user: 'bench' } : { status: 403 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

interface Figures {
  name: string;
  requestsPerSecond: number;
  p99: number;
  errors: number;
  /** CPU time (user + system) the measured server process spent per request, in microseconds. */
  cpuMicrosPerRequest: number;
  /** The same for the target behind a proxy (for direct: the measured process itself). */
  targetMicrosPerRequest: number;
  /** The same for this process, which runs the load generator (autocannon). */
  loadMicrosPerRequest: number;
}

/** utime + stime of a process, in microseconds (from /proc; clock ticks are 100 Hz on Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface System {
  key: 'direct' | 'chp' | 'ours' | 'tls';
  name: string;
  url: string;
  /** The process whose CPU time is counted. */
  pid: number;
  /** The target's process (for direct, the same). */
  targetPid: number;
  headers: Record<string, string>;
}

async function load({ name, url, pid, targetPid, headers }: System, seconds: number): Promise<Figures> {
  // A short warm-up first (JIT, keep-alive pools), not counted.
  await autocannon({ url, connections: 50, duration: 1, headers });
  const cpuBefore = cpuMicros(pid);
  const targetBefore = cpuMicros(targetPid);
  const loadBefore = process.cpuUsage();
  const result = await autocannon({ url, connections: 50, duration: seconds, headers });
  const requests = Math.max(1, result.requests.total);
  const loadCpu = process.cpuUsage(loadBefore);
  const figures = {
    name,
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicrosPerRequest: (cpuMicros(pid) - cpuBefore) / requests,
    targetMicrosPerRequest: (cpuMicros(targetPid) - targetBefore) / requests,
    loadMicrosPerRequest: (loadCpu.user + loadCpu.system) / requests,
  };
  console.log(`${name.padEnd(22)} ${describe(figures)}   errors ${figures.errors}`);
  return figures;
}

function describe(figures: Figures): string {
  const us = (value: number) => value.toFixed(0).padStart(4);
  return (
    `${figures.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${figures.p99.toFixed(1).padStart(6)} ms   ` +
    `CPU/req: ${us(figures.cpuMicrosPerRequest)} us (target ${us(figures.targetMicrosPerRequest)}, ` +
    `load generator ${us(figures.loadMicrosPerRequest)})`
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function summary(name: string, runs: Figures[]): Figures {
  const figures = {
    name,
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p99: median(runs.map((run) => run.p99)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
    targetMicrosPerRequest: median(runs.map((run) => run.targetMicrosPerRequest)),
    loadMicrosPerRequest: median(runs.map((run) => run.loadMicrosPerRequest)),
  };
  console.log(`median ${name.padEnd(22)} ${describe(figures)}`);
  return figures;
}

async function main(): Promise<void> {
  // Other engineers' work on the same 2 cores shows here; printed so a low figure can be judged.
  const loadBefore = os.loadavg()[0]!;
  const seconds = Number(process.env.BENCH_SECONDS ?? 4);
  const [targetPort, chpPort, chpApiPort, proxyPort, proxyApiPort] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  const hub = await startStandInHub();
  try {
    const targetProcess = await startChild(SELF, ['target', String(targetPort)]);
    const target = `http://127.0.0.1:${targetPort}`;
    const chpProcess = await startChp(chpPort!, chpApiPort!, target);
    await new ProxyClient(`http://127.0.0.1:${chpApiPort}`, PROXY_SECRET).addRoute('/user/bench/', target, {
      user: 'bench',
    });
    const profileDir = process.env.BENCH_PROFILE_DIR;
    const proxyProcess = await startChild(
      SELF,
      ['coursehub-proxy', String(proxyPort), String(proxyApiPort), String(hub.port)],
      [...PROXY_NODE_FLAGS, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    );
    await new ProxyClient(`http://127.0.0.1:${proxyApiPort}`, PROXY_SECRET).addUserServer({
      user: 'bench',
      url: target,
      serverToken: 'bench-server-token',
    });
    const tls = process.env.BENCH_TLS === '1' ? await startTlsProxy(hub.port, target) : undefined;
    const cookie = `coursehub-session=${signSessionCookie('bench-session-id', COOKIE_SECRET)}`;
    const path = '/user/bench/api/status';

    const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
    console.log(`small GETs, 50 connections, ${rounds} interleaved rounds of ${seconds} s each, ${path}`);
    const systems: System[] = [
      {
        key: 'direct',
        name: 'direct',
        url: `${target}${path}`,
        pid: targetProcess.pid!,
        targetPid: targetProcess.pid!,
        headers: {},
      },
      {
        key: 'chp',
        name: 'configurable-http-proxy',
        url: `http://127.0.0.1:${chpPort}${path}`,
        pid: chpProcess.pid!,
        targetPid: targetProcess.pid!,
        headers: {},
      },
      {
        key: 'ours',
        name: 'coursehub proxy',
        url: `http://127.0.0.1:${proxyPort}${path}`,
        pid: proxyProcess.pid!,
        targetPid: targetProcess.pid!,
        headers: { cookie },
      },
      ...(tls
        ? [
            {
              key: 'tls' as const,
              name: 'coursehub proxy https',
              url: `https://127.0.0.1:${tls.port}${path}`,
              pid: tls.process.pid!,
              targetPid: targetProcess.pid!,
              headers: { cookie },
            },
          ]
        : []),
    ];
    // One uncounted round first: the first seconds of each process are JIT warm-up (and tsx
    // compiling the proxy's TypeScript), which would otherwise land in the first measured round.
    console.log('warm-up round (not counted)');
    for (const system of systems) await load(system, 2);
    // Interleaved rounds, medians: the machine is shared, and load that comes and goes then hits
    // all three alike instead of whichever happened to run at that moment. The order turns each
    // round, so none of the three always runs first or right after the same neighbour.
    const runs: Record<System['key'], Figures[]> = { direct: [], chp: [], ours: [], tls: [] };
    const speedups: number[] = [];
    const p99Ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = systems.map((_, i) => systems[(i + round) % systems.length]!);
      const figures = {} as Record<System['key'], Figures>;
      for (const system of order) figures[system.key] = await load(system, seconds);
      for (const key of Object.keys(figures) as System['key'][]) runs[key].push(figures[key]);
      // Ratios within one round compare runs seconds apart, under the same outside load.
      speedups.push(figures.ours.requestsPerSecond / figures.chp.requestsPerSecond);
      p99Ratios.push(figures.ours.p99 / figures.direct.p99);
    }
    const direct = summary('direct', runs.direct);
    const chp = summary('configurable-http-proxy', runs.chp);
    const ours = summary('coursehub proxy', runs.ours);
    const overTls = tls ? summary('coursehub proxy https', runs.tls) : undefined;
    const failed = [...runs.direct, ...runs.chp, ...runs.ours, ...runs.tls].some((run) => run.errors > 0);
    if (failed) console.log('warning: some requests failed (see errors)');
    const cpuRatio = chp.cpuMicrosPerRequest / ours.cpuMicrosPerRequest;
    console.log(
      `CPU per request (steadier than req/s on a busy machine): CHP ${chp.cpuMicrosPerRequest.toFixed(0)} us, coursehub ${ours.cpuMicrosPerRequest.toFixed(0)} us = ${cpuRatio.toFixed(2)}x less`,
    );
    // What the 2 cores allow: the proxy's own thread caps it at 1 s / its CPU per request, and
    // the three processes together at 2 s / the sum; the lower of the two is the ceiling.
    const sum = ours.cpuMicrosPerRequest + ours.targetMicrosPerRequest + ours.loadMicrosPerRequest;
    const ceiling = Math.min(1e6 / ours.cpuMicrosPerRequest, 2e6 / sum);
    console.log(
      `coursehub ceiling on 2 cores: ${ceiling.toFixed(0)} req/s (proxy ${ours.cpuMicrosPerRequest.toFixed(0)} + target ${ours.targetMicrosPerRequest.toFixed(0)} + load generator ${ours.loadMicrosPerRequest.toFixed(0)} = ${sum.toFixed(0)} us CPU per request) = ${(ceiling / chp.requestsPerSecond).toFixed(2)}x CHP's median req/s`,
    );
    if (overTls)
      console.log(
        `coursehub over https (TLS ends in the proxy, same fast lane): ${overTls.requestsPerSecond.toFixed(0)} req/s p99 ${overTls.p99.toFixed(1)} ms, ` +
          `CPU/req ${overTls.cpuMicrosPerRequest.toFixed(0)} us = ${(overTls.requestsPerSecond / ours.requestsPerSecond).toFixed(2)}x the req/s of plain http (keep-alive connections: one handshake each)`,
      );
    const busy = os.loadavg()[0]!;
    console.log(
      `load average before: ${loadBefore.toFixed(2)}, after: ${busy.toFixed(2)} (2 cores; other work on the machine lowers every figure)`,
    );
    console.log(
      `direct ${direct.requestsPerSecond.toFixed(0)} req/s p99 ${direct.p99.toFixed(1)} ms; ` +
        `CHP ${chp.requestsPerSecond.toFixed(0)} req/s p99 ${chp.p99.toFixed(1)} ms; ` +
        `coursehub ${ours.requestsPerSecond.toFixed(0)} req/s p99 ${ours.p99.toFixed(1)} ms; ` +
        `coursehub/CHP req/s ${median(speedups).toFixed(2)}x (goal >= 3), ` +
        `coursehub/direct p99 ${median(p99Ratios).toFixed(2)}x (goal <= 2) [medians of per-round ratios]`,
    );
  } finally {
    hub.close();
    for (const child of children) child.kill('SIGTERM');
    if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  }
}

let tlsDir: string | undefined;

/** A second coursehub proxy, serving https from a self-signed pair, with the same user route. */
async function startTlsProxy(
  hubPort: number,
  target: string,
): Promise<{ port: number; process: ChildProcess }> {
  tlsDir = mkdtempSync(join(os.tmpdir(), 'coursehub-bench-tls-'));
  const [certFile, keyFile] = [join(tlsDir, 'bench.crt'), join(tlsDir, 'bench.key')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...['-keyout', keyFile, '-out', certFile],
    ],
    { stdio: 'ignore' },
  );
  const [port, apiPort] = [await freePort(), await freePort()];
  const child = await startChild(
    SELF,
    ['coursehub-proxy', String(port), String(apiPort), String(hubPort), certFile, keyFile],
    [...PROXY_NODE_FLAGS],
  );
  await new ProxyClient(`http://127.0.0.1:${apiPort}`, PROXY_SECRET).addUserServer({
    user: 'bench',
    url: target,
    serverToken: 'bench-server-token',
  });
  return { port, process: child };
}

const role = process.argv[2];
// A child whose parent went away (Ctrl-C, crash) goes too: nothing is left listening.
if (role !== undefined && process.send) process.on('disconnect', () => process.exit(0));
// Leaving through exit() on SIGTERM is what lets --cpu-prof write its profile.
if (role !== undefined) process.on('SIGTERM', () => process.exit(0));
if (role === 'target') await serveTarget(Number(process.argv[3]));
else if (role === 'coursehub-proxy') {
  const [certFile, keyFile] = [process.argv[6], process.argv[7]];
  await serveCoursehubProxy(
    Number(process.argv[3]),
    Number(process.argv[4]),
    Number(process.argv[5]),
    { cookieSecret: COOKIE_SECRET, proxySecret: PROXY_SECRET },
    certFile && keyFile ? { certFile, keyFile } : undefined,
  );
} else if (role === undefined) await main();
else throw new Error(`unknown role ${role}`);
