// Issue 17 item 6: a user server's sandbox dies with the process the hub watches. Killed with
// SIGKILL, as an operator or the OOM killer would, nothing of the server may keep running (its
// memory, its port, its kernels and their daemons), with cgroups and without; the hub then reaps
// it, and the next start gives exactly one server. Real jupyter-notebook, real accounts, as root.
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnerSection } from '../../../src/config/schema.js';
import {
  LocalProcessSpawner,
  type LocalProcessSpawnerOptions,
} from '../../../src/hub/spawner/local-process-spawner.js';
import { childrenOf } from '../../../src/sandbox/process-tree.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { startTestHub, type TestHub } from '../servers/hub-fixture.js';
import { isLive, liveProcessesOf, waitUntil } from './host-processes.js';
import { runCodeOnServer } from './run-code.js';
import { removeUnixAccount } from './test-accounts.js';

const isRoot = process.getuid?.() === 0;
const DAN = 'chlt_dan';
const EVE = 'chlt_eve';
const defaults = spawnerSection.parse({});
const NOTEBOOK = /^\S*python3\S* \S*jupyter-notebook/;
/** A daemon in a session of its own, as a kernel or a student's `nohup ... &` makes one. */
const DAEMON =
  "import subprocess\nsubprocess.Popen(['sleep', '1000'], start_new_session=True)\nprint('started')";

async function answers(url: string): Promise<boolean> {
  return fetch(new URL('api', url)).then(
    (r) => r.status === 200,
    () => false,
  );
}

describe.runIf(isRoot)('a server killed with SIGKILL leaves nothing running', () => {
  let root: string;
  const spawners: LocalProcessSpawner[] = [];

  function spawner(cgroups: boolean): LocalProcessSpawner {
    const options: LocalProcessSpawnerOptions = {
      ...defaults.local,
      homeRoot: join(root, 'homes'),
      environment: {},
      memoryLimitMb: defaults.memoryLimitMb,
      cpuLimit: defaults.cpuLimit,
      processLimit: defaults.processLimit,
      cgroups,
      logDir: join(root, 'logs'),
      log: pino({ level: 'silent' }),
    };
    const made = new LocalProcessSpawner(DAN, '', options);
    spawners.push(made);
    return made;
  }

  /** Starts dan's server with a kernel and a daemon of its own; his processes, with their count. */
  async function startBusyServer(cgroups: boolean) {
    const dan = spawner(cgroups);
    const server = await dan.start({ userName: DAN, serverName: '', baseUrl: `/user/${DAN}/`, hubEnv: {} });
    await waitUntil(() => answers(server.url), 60_000, 'the server to answer');
    expect((await runCodeOnServer(server.url, server.token, DAEMON)).trim()).toBe('started');
    const uid = (await lookupUnixAccount(DAN))!.uid;
    expect(liveProcessesOf(uid).some((p) => p.cmdline === 'sleep 1000')).toBe(true);
    return { dan, server, uid };
  }

  beforeAll(() => {
    removeUnixAccount(DAN);
    root = mkdtempSync(join(tmpdir(), 'coursehub-lifetime-'));
    chmodSync(root, 0o755);
  });
  afterAll(async () => {
    for (const made of spawners) await made.stop().catch(() => undefined);
    removeUnixAccount(DAN);
    rmSync(root, { recursive: true, force: true });
  });

  for (const cgroups of [true, false]) {
    it(`when the watched process is killed (${cgroups ? 'with' : 'without'} cgroups), before the hub does anything`, async () => {
      const { dan, server, uid } = await startBusyServer(cgroups);
      process.kill(dan.pid()!, 'SIGKILL');
      await waitUntil(
        () => liveProcessesOf(uid).length === 0,
        20_000,
        "every process of dan's server to end",
      );
      expect(await answers(server.url)).toBe(false);
      expect(await dan.poll()).not.toBeNull();
      await dan.stop();
    });
  }

  it('when the outer bwrap below the watched process is killed', async () => {
    const { dan, server, uid } = await startBusyServer(false);
    const outerBwrap = [dan.pid()!, ...childrenOf(dan.pid()!)].find((pid) =>
      liveProcessesOf(uid).some((p) => p.pid === pid && p.cmdline.startsWith('/usr/bin/bwrap')),
    );
    expect(outerBwrap).toBeDefined();
    process.kill(outerBwrap!, 'SIGKILL');
    await waitUntil(() => liveProcessesOf(uid).length === 0, 20_000, "every process of dan's server to end");
    expect(await answers(server.url)).toBe(false);
    await waitUntil(async () => (await dan.poll()) !== null, 10_000, 'the spawner to see the server gone');
    await dan.stop();
  });

  it('and stop() returns only once every process of its cgroup has ended', async () => {
    const { dan, uid } = await startBusyServer(true);
    const dirs = dan.getState().cgroupDirs as string[];
    await dan.stop();
    expect(liveProcessesOf(uid)).toEqual([]);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });
});

describe.runIf(isRoot)('the hub reaps a server killed under it', () => {
  let hub: TestHub;
  let token: string;

  beforeAll(async () => {
    hub = await startTestHub({ users: [EVE] });
    token = await hub.token(EVE);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  async function start(): Promise<{ spawner: LocalProcessSpawner; url: string }> {
    const response = await fetch(`${hub.hubUrl}/hub/api/users/${EVE}/server`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
    });
    expect(response.status).toBe(201);
    const spawner = hub.services.servers.readyServers().find((s) => s.userName === EVE)!
      .spawner as LocalProcessSpawner;
    return { spawner, url: spawner.current()!.url };
  }

  it('and the next start gives exactly one server', async () => {
    const first = await start();
    const uid = (await lookupUnixAccount(EVE))!.uid;
    const watched = first.spawner.pid()!;
    process.kill(watched, 'SIGKILL');
    await waitUntil(() => !isLive(watched), 10_000, 'the watched process to die');
    await hub.services.servers.pollAll();
    expect(hub.services.servers.status(EVE)).toBeUndefined();
    await waitUntil(
      () => liveProcessesOf(uid).length === 0,
      20_000,
      "every process of eve's first server to end",
    );
    expect(await answers(first.url)).toBe(false);

    const second = await start();
    expect(second.url).not.toBe(first.url);
    expect(liveProcessesOf(uid).filter((p) => NOTEBOOK.test(p.cmdline))).toHaveLength(1);
    const viaProxy = await fetch(`${hub.proxy.publicUrl}/user/${EVE}/api/status`, {
      headers: { authorization: `token ${token}` },
    });
    expect(viaProxy.status).toBe(200);
  });
});
