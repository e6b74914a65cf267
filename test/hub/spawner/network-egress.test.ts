// Issue 11, item 5: what a user's server can connect to. A real hub (`coursehub start` in this
// process: PostgreSQL as its database, its own proxy process) starts real jupyter-notebook
// servers for two users through the local spawner, under the egress policy (as root, with
// nftables). From inside alice's server (Python in a kernel, reached through the proxy) the test
// opens TCP connections with short timeouts to:
//   the hub API (must work), the proxy's API, PostgreSQL, bob's server, another loopback service,
//   169.254.169.254 (must be refused), and an "outside" address (must work unless denied).
// There is no internet here: "outside" and the metadata address are a network namespace with a
// listener, joined by a veth pair (./outside-network.ts), so that without a policy both answer.
// Then what must keep working: an account's own services on this host (its server, its kernels,
// a listener it started) stay reachable to it and to nobody else, forked children of a kernel
// still print, the notebook's terminal answers over its websocket. Last, a hub restart with the
// servers running: the rules hold while the hub is down, and the restarted hub applies a changed
// deny list to the servers it re-attaches.
//
// COURSEHUB_TEST_EGRESS_POLICY=none runs the same expectations without the policy (to see them
// fail, as on the code before it).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHub, type RunningHub } from '../../../src/app/start.js';
import { stopProxy } from '../../../src/hub/proxy/lifecycle.js';
import { findNft } from '../../../src/sandbox/nft.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { createTestDatabase, freePort } from '../../support/postgres.js';
import { createOutsideNetwork, type OutsideNetwork } from './outside-network.js';
import { runCodeOnServer } from './run-code.js';
import { removeUnixAccount } from './test-accounts.js';

const POLICY = process.env.COURSEHUB_TEST_EGRESS_POLICY ?? 'nftables';
const ALICE = 'chegr_alice';
const BOB = 'chegr_bob';
const TABLE = `chtest_egress_${process.pid}`;

let root: string;
let configFile: string;
let config: Record<string, unknown>;
let hub: RunningHub | undefined;
let outside: OutsideNetwork;
let loopbackService: Server;
let udpService: Socket;
let ports: {
  port: number;
  hubPort: number;
  apiPort: number;
  loopback: number;
  udp: number;
  postgres: number;
};
const tokens: Record<string, string> = {};

function writeConfig(deny: string[]): void {
  const network = { policy: POLICY, table: TABLE, deny };
  const spawner = { ...(config.spawner as object), network };
  writeFileSync(configFile, JSON.stringify({ ...config, spawner }, null, 2));
}

async function startTheHub(): Promise<RunningHub> {
  hub = await startHub({ configFile, env: {}, print: () => undefined });
  for (const user of [ALICE, BOB]) {
    if (!(await hub.services.stores.users.findByName(user)))
      await hub.services.users.create({ name: user, admin: false });
    tokens[user] = (await hub.services.tokens.create({ user })).token;
  }
  return hub;
}

/** The user's server as the proxy serves it. */
const proxied = (user: string) => `http://127.0.0.1:${ports.port}/user/${user}/`;

/** The running server of `user`, as the hub's spawner knows it (URL on loopback, token). */
function serverOf(user: string): { url: string; token: string } {
  const found = hub!.services.servers.readyServers().find((s) => s.userName === user);
  const current = found?.spawner.current();
  if (!current) throw new Error(`${user} has no running server`);
  return current;
}

/** A TCP connection to open, or (with 'udp') a datagram to send that the service answers. */
type Target = [host: string, port: number] | [host: string, port: number, protocol: 'udp'];

/** Python that tries each target with a short timeout and prints how each attempt ended. */
function probeCode(targets: Record<string, Target>): string {
  return `
import json, socket
def probe(host, port, protocol='tcp'):
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM if protocol == 'udp' else socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((host, port))
        if protocol == 'udp':
            s.send(b'ping')
            return 'answered' if s.recv(16) == b'pong' else 'wrong answer'
        return 'connected'
    except ConnectionRefusedError:
        return 'refused'
    except socket.timeout:
        return 'timed out'
    except OSError as e:
        return 'error: ' + (e.strerror or str(e.errno))
    finally:
        s.close()
print(json.dumps({name: probe(*where) for name, where in ${JSON.stringify(targets)}.items()}))
`;
}

/** Runs the probe in a new kernel of `user`'s server; through the proxy unless told where. */
async function probeFrom(
  user: string,
  targets: Record<string, Target>,
  server: { url: string; token: string } = { url: proxied(user), token: tokens[user]! },
): Promise<Record<string, string>> {
  const out = await runCodeOnServer(server.url, server.token, probeCode(targets));
  return JSON.parse(out.trim()) as Record<string, string>;
}

function targets(): Record<string, Target> {
  const port = (url: string) => Number(new URL(url).port);
  return {
    hubApi: ['127.0.0.1', ports.hubPort],
    proxyApi: ['127.0.0.1', ports.apiPort],
    postgres: ['127.0.0.1', ports.postgres],
    bobServer: ['127.0.0.1', port(serverOf(BOB).url)],
    loopbackService: ['127.0.0.1', ports.loopback],
    loopbackServiceOtherAddress: ['127.0.0.2', ports.loopback],
    loopbackServiceIpv6: ['::1', ports.loopback],
    loopbackServiceHostAddress: [outside.hostAddress, ports.loopback],
    loopbackUdpService: ['127.0.0.1', ports.udp, 'udp'],
    metadata: [outside.metadataAddress, outside.port],
    outside: [outside.address, outside.port],
  };
}

const EXPECTED = {
  hubApi: 'connected',
  proxyApi: 'refused',
  postgres: 'refused',
  bobServer: 'refused',
  loopbackService: 'refused',
  loopbackServiceOtherAddress: 'refused',
  loopbackServiceIpv6: 'refused',
  loopbackServiceHostAddress: 'refused',
  // The datagram is refused at the send: the kernel turns the rule's ICMP answer into EPERM.
  loopbackUdpService: 'error: Operation not permitted',
  metadata: 'refused',
  outside: 'connected',
};

function nftTable(): string {
  try {
    return execFileSync(findNft() ?? 'nft', ['list', 'table', 'inet', TABLE], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch {
    return '';
  }
}

beforeAll(async () => {
  for (const user of [ALICE, BOB]) removeUnixAccount(user);
  root = mkdtempSync(join(tmpdir(), 'coursehub-egress-'));
  chmodSync(root, 0o755);
  outside = await createOutsideNetwork();
  loopbackService = createServer((socket) => socket.destroy());
  // Every address of the host, IPv4 and IPv6, as many services listen.
  await new Promise<void>((resolve) => loopbackService.listen(0, '::', resolve));
  udpService = createSocket('udp4', (message, from) => {
    if (String(message) === 'ping') udpService.send('pong', from.port, from.address);
  });
  await new Promise<void>((resolve) => udpService.bind(0, '127.0.0.1', resolve));
  const dbUrl = await createTestDatabase();
  ports = {
    port: await freePort(),
    hubPort: await freePort(),
    apiPort: await freePort(),
    loopback: (loopbackService.address() as { port: number }).port,
    udp: udpService.address().port,
    postgres: Number(new URL(dbUrl).port),
  };
  configFile = join(root, 'coursehub.json');
  config = {
    hub: { ip: '127.0.0.1', port: ports.port, hubPort: ports.hubPort, dataDir: join(root, 'data') },
    proxy: { apiPort: ports.apiPort },
    db: { url: dbUrl },
    log: { level: process.env.COURSEHUB_TEST_LOG_LEVEL ?? 'silent' },
    auth: { authenticator: 'dummy' },
    spawner: { local: { homeRoot: join(root, 'homes') } },
  };
  writeConfig([]);
  await startTheHub();
  for (const user of [ALICE, BOB]) await (await hub!.services.servers.start(user)).ready;
}, 180_000);

afterAll(async () => {
  if (hub) {
    for (const s of hub.services.servers.readyServers())
      await (await hub.services.servers.stop(s.userName)).done.catch(() => undefined);
    await hub.stop();
  }
  if (root) await stopProxy(join(root, 'data'));
  for (const user of [ALICE, BOB]) removeUnixAccount(user);
  if (nftTable()) execFileSync(findNft()!, ['delete', 'table', 'inet', TABLE]);
  outside?.dispose();
  loopbackService?.close();
  udpService?.close();
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe(`user servers' egress (policy ${POLICY})`, () => {
  it("from alice's server: the hub API and the outside answer; the proxy API, PostgreSQL, bob's server, other loopback services and cloud metadata are refused", async () => {
    expect(await probeFrom(ALICE, targets())).toEqual(EXPECTED);
  });

  it("the hub API answers alice's kernel over HTTP at the URL it was given", async () => {
    const out = await runCodeOnServer(
      proxied(ALICE),
      tokens[ALICE]!,
      'import os, urllib.request\nprint(urllib.request.urlopen(os.environ["JUPYTERHUB_API_URL"] + "/", timeout=5).status)',
    );
    expect(out.trim()).toBe('200');
  });

  it("bob's server is held the same way: alice's server port is refused to it", async () => {
    const alicePort = Number(new URL(serverOf(ALICE).url).port);
    const seen = await probeFrom(BOB, {
      aliceServer: ['127.0.0.1', alicePort],
      outside: [outside.address, 80],
    });
    expect(seen).toEqual({ aliceServer: 'refused', outside: 'connected' });
  });

  it("alice's own services on this host stay hers: her server and a listener she started answer her, and are refused to bob", async () => {
    const port = await freePort();
    // A service of alice's that outlives the cell (a local Dask, a Flask app under test).
    const started = await runCodeOnServer(
      proxied(ALICE),
      tokens[ALICE]!,
      `import subprocess, sys, time, socket
subprocess.Popen([sys.executable, '-c', ${JSON.stringify(
        `import socket\ns = socket.socket()\ns.bind(('127.0.0.1', ${port}))\ns.listen(8)\nwhile True: s.accept()[0].close()`,
      )}], start_new_session=True)
for _ in range(100):
    try:
        socket.create_connection(('127.0.0.1', ${port}), timeout=1).close(); print('up'); break
    except OSError:
        time.sleep(0.1)`,
    );
    expect(started.trim()).toBe('up');
    const own: Record<string, [string, number]> = {
      ownService: ['127.0.0.1', port],
      ownServer: ['127.0.0.1', Number(new URL(serverOf(ALICE).url).port)],
    };
    expect(await probeFrom(ALICE, own)).toEqual({ ownService: 'connected', ownServer: 'connected' });
    expect(await probeFrom(BOB, own)).toEqual({ ownService: 'refused', ownServer: 'refused' });
  });

  it("a kernel's forked children still print into the notebook (ipykernel sends that over loopback TCP)", async () => {
    const out = await runCodeOnServer(
      proxied(ALICE),
      tokens[ALICE]!,
      `import multiprocessing as mp
def child():
    print('printed by a forked child', flush=True)
p = mp.get_context('fork').Process(target=child)
p.start(); p.join()`,
    );
    expect(out).toContain('printed by a forked child');
  });

  it('the notebook still works through the proxy: a terminal answers over its websocket', async () => {
    const auth = { Authorization: `token ${tokens[ALICE]}` };
    const created = await fetch(new URL('api/terminals', proxied(ALICE)), { method: 'POST', headers: auth });
    expect(created.status).toBe(200);
    const { name } = (await created.json()) as { name: string };
    const url = new URL(`terminals/websocket/${name}`, proxied(ALICE));
    url.protocol = 'ws:';
    const socket = new WebSocket(url, { headers: auth });
    const marker = `egress-${randomUUID().slice(0, 8)}`;
    try {
      const seen = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`no answer; the terminal said: ${text}`)), 30_000);
        socket.on('error', reject);
        socket.on('open', () => socket.send(JSON.stringify(['stdin', `echo ${marker}-$((6*7))\r`])));
        socket.on('message', (raw) => {
          const [kind, data] = JSON.parse(String(raw)) as [string, string];
          if (kind === 'stdout') text += data;
          if (text.includes(`${marker}-42`)) {
            clearTimeout(timer);
            resolve(text);
          }
        });
      });
      expect(seen).toContain(`${marker}-42`);
    } finally {
      socket.close();
      await fetch(new URL(`api/terminals/${name}`, proxied(ALICE)), { method: 'DELETE', headers: auth });
    }
  });

  it('the rules hold while the hub is down, and a restarted hub applies its new deny list to the running servers', async () => {
    const alice = serverOf(ALICE);
    const uid = (await lookupUnixAccount(ALICE))!.uid;
    await hub!.stop();
    hub = undefined;

    // The hub is gone, the servers are not: straight to alice's server, with its own token.
    const whileDown = await probeFrom(
      ALICE,
      {
        proxyApi: ['127.0.0.1', ports.apiPort],
        postgres: ['127.0.0.1', ports.postgres],
        loopbackService: ['127.0.0.1', ports.loopback],
        metadata: [outside.metadataAddress, outside.port],
        outside: [outside.address, outside.port],
      },
      alice,
    );
    expect(whileDown).toEqual({
      proxyApi: 'refused',
      postgres: 'refused',
      loopbackService: 'refused',
      metadata: 'refused',
      outside: 'connected',
    });
    expect(nftTable()).toMatch(new RegExp(`elements = \\{[^}]*\\b${uid}\\b`));

    writeConfig([`${outside.address}/32:${outside.port}`]);
    await startTheHub();
    expect(serverOf(ALICE)).toEqual(alice); // re-attached, not restarted
    expect(await probeFrom(ALICE, targets())).toEqual({ ...EXPECTED, outside: 'refused' });
  });
});
