// https served by coursehub itself (config section `https`, the seed's secrets/jupyterhub.crt and
// .key): a real `coursehub start` with a self-signed pair this test makes with the openssl
// command; Chromium logs in over https, starts its server and runs a cell over the kernel's
// websocket through TLS; plain http on https.redirectPort redirects; every answer carries HSTS;
// a renewed pair is served without a restart (a mismatched one is not); and a missing,
// unreadable or mismatched pair stops `coursehub start` with its message.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import tls from 'node:tls';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { startHub, type RunningHub } from '../../../src/app/start.js';
import { defaultProxyCommand, stopProxy } from '../../../src/hub/proxy/lifecycle.js';
import { launchBrowser } from '../../support/browser.js';
import { startRealHub, type RealHub } from '../../support/hub.js';
import { freePort } from '../../support/postgres.js';
import { removeUnixAccount } from '../spawner/test-accounts.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const ADMIN = 'chtls_admin';
const PASSWORD = 'tls-admin-password-1';
const readText = (file: string) => readFileSync(file, 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Pair {
  cert: string;
  key: string;
  /** As `openssl x509 -fingerprint -sha256` prints it, not as coursehub computes it. */
  fingerprint: string;
}

/** A self-signed pair for localhost and 127.0.0.1, made by the openssl command. */
function makePair(dir: string, name: string): Pair {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2'],
      ...['-keyout', key, '-out', cert, '-subj', `/CN=localhost/O=${name}`],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  const printed = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], {
    encoding: 'utf8',
  });
  return { cert, key, fingerprint: printed.trim().split('=')[1]! };
}

/** The fingerprint of the certificate a new TLS connection is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((done, fail) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false },
      () => {
        done(socket.getPeerCertificate().fingerprint256);
        socket.end();
      },
    );
    socket.once('error', fail);
  });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
}

/** One request, trusting only `ca` for https. */
function request(
  url: string,
  options: { method?: string; ca?: string; body?: string } = {},
): Promise<Answer> {
  return new Promise((done, fail) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? https.request : http.request;
    const outgoing = send(
      target,
      {
        method: options.method ?? 'GET',
        ...(options.ca ? { ca: options.ca, servername: 'localhost' } : {}),
        headers: options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (answer) => {
        answer.resume();
        answer.on('end', () => done({ status: answer.statusCode ?? 0, headers: answer.headers }));
      },
    );
    outgoing.once('error', fail);
    outgoing.end(options.body);
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('https served by coursehub (a real hub with a self-signed pair)', () => {
  let dir: string;
  let first: Pair;
  let renewed: Pair;
  let stranger: Pair;
  let certFile: string;
  let keyFile: string;
  let redirectPort: number;
  let hub: RealHub;
  let port: number;
  let browser: Browser;
  const table = `chtest_tls_${process.pid}`;

  beforeAll(async () => {
    removeUnixAccount(ADMIN);
    dir = mkdtempSync(join(tmpdir(), 'coursehub-tls-'));
    chmodSync(dir, 0o755);
    first = makePair(dir, 'first');
    renewed = makePair(dir, 'renewed');
    stranger = makePair(dir, 'stranger');
    // The files the hub is configured with; the test renews them in place later.
    certFile = join(dir, 'jupyterhub.crt');
    keyFile = join(dir, 'jupyterhub.key');
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    redirectPort = await freePort();
    hub = await startRealHub({
      config: {
        https: { certFile, keyFile, redirectPort, reloadIntervalSeconds: 1 },
        auth: { authenticator: 'local', local: { adminUser: ADMIN, adminPassword: PASSWORD } },
        spawner: { local: { homeRoot: join(dir, 'homes') }, network: { table } },
      },
    });
    port = new URL(hub.url).port === '' ? 443 : Number(new URL(hub.url).port);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (hub) {
      for (const server of await hub.hub.services.servers.routesOfRunningServers().catch(() => []))
        await (await hub.hub.services.servers.stop(server.user)).done.catch(() => undefined);
      await hub.stop();
    }
    removeUnixAccount(ADMIN);
    spawnSync('nft', ['delete', 'table', 'inet', table], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('says https in the URL it prints and serves the configured certificate', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(hub.printed).toContain(`coursehub is running at ${hub.url}`);
    expect(await servedFingerprint(port)).toBe(first.fingerprint);
    // The certificate checks against itself as the CA: the whole chain of trust is the pair's.
    const answer = await request(`${hub.url}hub/login`, { ca: readText(first.cert) });
    expect(answer.status).toBe(200);
  });

  it(
    'Chromium logs in over https, gets a Secure cookie, starts its server and runs a cell over wss',
    { timeout: 240_000 },
    async () => {
      const context = await browser.newContext({ baseURL: hub.url, ignoreHTTPSErrors: true });
      const page = await context.newPage();
      try {
        const login = await page.goto('hub/login');
        expect(login?.headers()['strict-transport-security']).toBe('max-age=31536000');
        await page.fill('#username', ADMIN);
        await page.fill('#password', PASSWORD);
        await page.click('button[type=submit]');
        await page.waitForURL('**/hub/home');
        const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE_NAME);
        expect(cookie).toMatchObject({ secure: true, httpOnly: true });

        await page.locator('#start').click();
        await page.waitForURL(`**/user/${ADMIN}/tree**`, { timeout: 90_000 });
        // A user server's own answer carries HSTS too (the proxy adds it on its way out).
        const tree = await page.goto(`user/${ADMIN}/tree`);
        expect(tree?.headers()['strict-transport-security']).toBe('max-age=31536000');
        // A new notebook as the notebook's own scripts make it (Jupyter's XSRF cookie), opened,
        // and a cell run: the kernel's websocket goes through TLS, then the proxy, to the kernel.
        // Jupyter's own: the hub's `_xsrf` cookie lives under /hub/, as JupyterHub's.
        const xsrf =
          (await context.cookies()).find((c) => c.name === '_xsrf' && !c.path.includes('/hub/'))?.value ?? '';
        const created = await page.request.post(`user/${ADMIN}/api/contents`, {
          data: { type: 'notebook' },
          headers: { 'X-XSRFToken': decodeURIComponent(xsrf) },
        });
        expect(created.status()).toBe(201);
        const { path } = (await created.json()) as { path: string };
        const sockets: string[] = [];
        page.on('websocket', (socket) => sockets.push(socket.url()));
        await page.goto(`user/${ADMIN}/notebooks/${path}`);
        await page.locator('#kernel_indicator_icon.kernel_idle_icon').waitFor({ timeout: 90_000 });
        const cell = page.locator('.code_cell').first();
        await cell.locator('.CodeMirror').click();
        await page.keyboard.type('print(6*7)');
        await page.keyboard.press('Shift+Enter');
        await cell.locator('.output_subarea').filter({ hasText: '42' }).first().waitFor({ timeout: 60_000 });
        expect(
          sockets.some((url) => url.startsWith(`wss://127.0.0.1:${port}/user/${ADMIN}/api/kernels/`)),
        ).toBe(true);
      } finally {
        await context.close();
      }
    },
  );

  it('redirects plain http on https.redirectPort to the same path over https', async () => {
    const get = await request(`http://127.0.0.1:${redirectPort}/hub/login?next=%2Fhub%2Fhome`);
    expect(get.status).toBe(301);
    expect(get.headers.location).toBe(`https://127.0.0.1:${port}/hub/login?next=%2Fhub%2Fhome`);
    // No HSTS over plain http (RFC 6797 8.1: a UA ignores it there; the server must not send it).
    expect(get.headers['strict-transport-security']).toBeUndefined();
    const post = await request(`http://127.0.0.1:${redirectPort}/hub/login`, { method: 'POST', body: 'a=b' });
    expect(post.status).toBe(308);
    expect(post.headers.location).toBe(`https://127.0.0.1:${port}/hub/login`);
  });

  it("sets HSTS on both lanes' answers and on the proxy's own", async () => {
    const ca = readText(first.cert);
    // A plain GET (fast lane), a POST (node:http's lane), and the proxy's own redirect for a
    // server that is not running.
    const read = await request(`${hub.url}hub/login`, { ca });
    const write = await request(`${hub.url}hub/login`, { ca, method: 'POST', body: 'username=x' });
    const own = await request(`${hub.url}user/nobody/tree`, { ca });
    expect(own.status).toBe(302);
    for (const answer of [read, write, own])
      expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('keeps serving the old pair when a renewal does not match, and serves a matching one without a restart', async () => {
    const pid = Number(readText(join(hub.dataDir, 'proxy.pid')).trim());
    // A renewal half done (the new certificate, a key of another pair): refused, the old one stays.
    copyFileSync(renewed.cert, certFile);
    copyFileSync(stranger.key, keyFile);
    await until('the proxy logged the refused pair', async () =>
      readText(join(hub.dataDir, 'proxy.log')).includes('https pair not reloaded'),
    );
    expect(await servedFingerprint(port)).toBe(first.fingerprint);
    // The renewal completed: the new certificate is served on new connections.
    copyFileSync(renewed.key, keyFile);
    await until(
      'the renewed certificate is served',
      async () => (await servedFingerprint(port)) === renewed.fingerprint,
    );
    const answer = await request(`${hub.url}hub/login`, { ca: readText(renewed.cert) });
    expect(answer.status).toBe(200);
    // The same proxy process throughout: no restart.
    expect(Number(readText(join(hub.dataDir, 'proxy.pid')).trim())).toBe(pid);
  });
});

describe('coursehub start refuses a pair it cannot serve', () => {
  let dir: string;
  let good: Pair;
  let other: Pair;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coursehub-tls-bad-'));
    good = makePair(dir, 'good');
    other = makePair(dir, 'other');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `coursehub start` as its own process, with `prefix` before node (setpriv). */
  async function start(certFile: string, keyFile: string, prefix: string[] = []) {
    const dataDir = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    const configFile = join(dir, 'coursehub.json');
    const [hubPort, apiPort, publicPort] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      configFile,
      JSON.stringify({
        hub: { ip: '127.0.0.1', port: publicPort, hubPort, dataDir },
        proxy: { apiPort },
        https: { certFile, keyFile },
        auth: { authenticator: 'dummy' },
      }),
    );
    const command = [
      process.execPath,
      '--import',
      'tsx',
      join(REPO, 'src/cli/main.ts'),
      'start',
      '--config',
      configFile,
    ];
    const run = spawnSync(
      prefix[0] ?? command[0]!,
      [...prefix.slice(1), ...(prefix.length ? command : command.slice(1))],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
        timeout: 60_000,
      },
    );
    return { status: run.status, stderr: run.stderr, dataDirMade: existsSync(dataDir) };
  }

  it('a missing file', async () => {
    const missing = join(dir, 'no-such.key');
    const run = await start(good.cert, missing);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`The https key ${missing} does not exist.`);
    expect(run.stderr).toContain('secrets/jupyterhub.key');
    // Refused before anything started: no data folder, no database.
    expect(run.dataDirMade).toBe(false);
  });

  it('an unreadable file', async () => {
    const locked = join(dir, 'locked.key');
    copyFileSync(good.key, locked);
    chmodSync(locked, 0o000);
    // root reads any file: without the capabilities that let it, root is refused as anyone is.
    const run = await start(good.cert, locked, [
      'setpriv',
      '--bounding-set',
      '-dac_override,-dac_read_search',
    ]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      `The https key ${locked} cannot be read by this process (permission denied).`,
    );
    expect(run.dataDirMade).toBe(false);
  });

  it('a key of another certificate', async () => {
    const run = await start(good.cert, other.key);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      `The https key ${other.key} does not belong to the certificate ${good.cert}`,
    );
    expect(run.dataDirMade).toBe(false);
  });

  it('a file that is not PEM', async () => {
    const junk = join(dir, 'junk.crt');
    writeFileSync(junk, 'not a certificate\n');
    const run = await start(junk, good.key);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`The https certificate ${junk} is not a PEM certificate.`);
  });
});

describe('coursehub proxy reloads its pair on SIGHUP', () => {
  let dir: string;
  let proxy: ChildProcess | undefined;

  afterAll(() => {
    proxy?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the renewed certificate after SIGHUP, with the file check an hour away', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coursehub-tls-hup-'));
    const first = makePair(dir, 'first');
    const renewed = makePair(dir, 'renewed');
    const certFile = join(dir, 'served.crt');
    const keyFile = join(dir, 'served.key');
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    const [port, apiPort] = [await freePort(), await freePort()];
    const { executable, args } = defaultProxyCommand();
    proxy = spawn(
      executable,
      [
        ...args,
        ...['--port', String(port), '--api-port', String(apiPort), '--data-dir', join(dir, 'data')],
        ...['--tls-cert', certFile, '--tls-key', keyFile, '--tls-reload-interval', '3600'],
      ],
      { stdio: 'ignore', env: { PATH: process.env.PATH, COURSEHUB_COOKIE_SECRET: 'c'.repeat(64) } },
    );
    await until('the proxy serves https', async () =>
      servedFingerprint(port).then(
        (fingerprint) => fingerprint === first.fingerprint,
        () => false,
      ),
    );
    copyFileSync(renewed.cert, certFile);
    copyFileSync(renewed.key, keyFile);
    // Not picked up by itself within the next seconds (the file check is an hour away) ...
    await sleep(1500);
    expect(await servedFingerprint(port)).toBe(first.fingerprint);
    // ... but at once on SIGHUP.
    proxy.kill('SIGHUP');
    await until(
      'the renewed certificate is served',
      async () => (await servedFingerprint(port)) === renewed.fingerprint,
    );
    expect(proxy.exitCode).toBeNull();
  }, 60_000);
});

describe('a plain proxy left running from before https was configured', () => {
  let dir: string;
  let running: RunningHub | undefined;
  const table = `chtest_tlsp_${process.pid}`;

  afterAll(async () => {
    await running?.stop();
    if (dir) {
      await stopProxy(join(dir, 'data'));
      rmSync(dir, { recursive: true, force: true });
    }
    spawnSync('nft', ['delete', 'table', 'inet', table], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  });

  it('is named in a warning at start, and replaced by an https one once stopped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coursehub-tls-reuse-'));
    const pair = makePair(dir, 'pair');
    const configFile = join(dir, 'coursehub.json');
    const settings = {
      hub: { ip: '127.0.0.1', port: await freePort(), hubPort: await freePort(), dataDir: join(dir, 'data') },
      proxy: { apiPort: await freePort() },
      auth: { authenticator: 'dummy' },
      log: { level: 'silent' },
      spawner: { network: { table } },
    };
    const start = async (config: Record<string, unknown>) => {
      writeFileSync(configFile, JSON.stringify(config));
      const printed: string[] = [];
      running = await startHub({ configFile, env: {}, print: (line) => printed.push(line) });
      return printed;
    };
    await start(settings);
    await running!.stop();
    // The proxy outlives the hub; the hub comes back with https configured.
    const withHttps = { ...settings, https: { certFile: pair.cert, keyFile: pair.key } };
    const printed = await start(withHttps);
    expect(printed.join('\n')).toContain(
      `warning: The proxy already running on port ${settings.hub.port} does not serve https`,
    );
    await running!.stop();
    await stopProxy(settings.hub.dataDir);
    const again = await start(withHttps);
    expect(again.join('\n')).not.toContain('warning');
    expect(await servedFingerprint(settings.hub.port)).toBe(pair.fingerprint);
  }, 120_000);
});
