// Issue 11 item 4: user servers get limits by default. On a real hub with the real proxy and real
// jupyter-notebook servers (as root, with cgroup v1): a student's fork bomb is capped by the pids
// controller and a memory hog is killed by the OOM killer inside its own cgroup, while the hub and
// another student's server keep answering. Then the same server under the rlimit stand-ins (no
// cgroups): RLIMIT_NPROC caps the bomb per account, RLIMIT_AS the hog.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnerSection } from '../../../src/config/schema.js';
import {
  LocalProcessSpawner,
  type LocalProcessSpawnerOptions,
} from '../../../src/hub/spawner/local-process-spawner.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { startTestHub, type TestHub } from '../servers/hub-fixture.js';
import { cgroupCounter, liveProcessesOf, waitUntil } from './host-processes.js';
import { openKernel, runCodeOnServer } from './run-code.js';
import { removeUnixAccount } from './test-accounts.js';

const isRoot = process.getuid?.() === 0;
const ALICE = 'chlim_alice';
const BOB = 'chlim_bob';
const CAROL = 'chlim_carol';
const defaults = spawnerSection.parse({});

/**
 * Every process of the bomb forks until it is refused, then tries again, for at most a minute.
 * An RLIMIT_NPROC of at most 2000 is only a safety net for this machine should the limit under
 * test be missing: the limit under test must be what stops it.
 */
const FORK_BOMB = [
  'import os, resource, time',
  '_, hard = resource.getrlimit(resource.RLIMIT_NPROC)',
  'cap = 2000 if hard == resource.RLIM_INFINITY else min(hard, 2000)',
  'resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))',
  'end = time.time() + 60',
  'while time.time() < end:',
  '    try:',
  '        os.fork()',
  '    except OSError:',
  '        pass',
  'os._exit(0)',
].join('\n');

/** Writes 64 MiB blocks (written, so resident) up to 3 GiB, a bound for this machine's sake. */
const MEMORY_HOG = [
  'blocks = []',
  'for i in range(48):',
  '    blocks.append(b"\\x01" * (64 * 1024**2))',
  'print("allocated", len(blocks) * 64, "MiB")',
].join('\n');

function groupOf(dirs: string[], controller: string): string {
  const dir = dirs.find((d) => d.includes(`/cgroup/${controller}/`));
  if (!dir) throw new Error(`the server has no ${controller} cgroup (dirs: ${dirs.join(', ')})`);
  return dir;
}

function cgroupValue(dirs: string[], controller: string, file: string): string {
  return readFileSync(join(groupOf(dirs, controller), file), 'utf8').trim();
}

describe('the default limits in the spawner section', () => {
  it('cap processes, memory and CPU for a 2-core teaching VM', () => {
    expect(defaults.processLimit).toBeGreaterThanOrEqual(64);
    expect(defaults.processLimit).toBeLessThanOrEqual(1024);
    expect(defaults.memoryLimitMb).toBeGreaterThanOrEqual(256);
    expect(defaults.memoryLimitMb).toBeLessThanOrEqual(4096);
    expect(defaults.cpuLimit).toBeGreaterThan(0);
    expect(defaults.cpuLimit).toBeLessThanOrEqual(2);
  });
});

describe.runIf(isRoot)('a hostile student on a real hub, with the default limits (cgroup v1)', () => {
  let hub: TestHub;
  const tokens: Record<string, string> = {};

  async function startServer(name: string) {
    const response = await fetch(`${hub.hubUrl}/hub/api/users/${name}/server`, {
      method: 'POST',
      headers: { authorization: `token ${tokens[name]}` },
    });
    expect(response.status).toBe(201);
    const live = hub.services.servers.readyServers().find((s) => s.userName === name)!;
    const spawner = live.spawner as LocalProcessSpawner;
    return { spawner, server: spawner.current()!, dirs: spawner.getState().cgroupDirs as string[] };
  }

  async function stopServer(name: string): Promise<void> {
    const response = await fetch(`${hub.hubUrl}/hub/api/users/${name}/server`, {
      method: 'DELETE',
      headers: { authorization: `token ${tokens[name]}` },
    });
    expect([202, 204]).toContain(response.status);
    await waitUntil(
      () => hub.services.servers.status(name) === undefined,
      60_000,
      `${name}'s server to stop`,
    );
  }

  /** The hub answers its API, bob's server answers through the proxy, and bob's code runs. */
  async function everyoneElseAnswers(bob: { url: string; token: string }): Promise<void> {
    const api = await fetch(`${hub.hubUrl}/hub/api/`);
    expect(api.status).toBe(200);
    const viaProxy = await fetch(`${hub.proxy.publicUrl}/user/${BOB}/api/status`, {
      headers: { authorization: `token ${tokens[BOB]}` },
    });
    expect(viaProxy.status).toBe(200);
    expect((await runCodeOnServer(bob.url, bob.token, 'print(6 * 7)')).trim()).toBe('42');
  }

  beforeAll(async () => {
    hub = await startTestHub({ users: [ALICE, BOB] });
    for (const name of [ALICE, BOB]) tokens[name] = await hub.token(name);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it("writes the defaults into the server's cgroups", async () => {
    const { dirs } = await startServer(ALICE);
    expect(cgroupValue(dirs, 'pids', 'pids.max')).toBe(String(defaults.processLimit));
    expect(cgroupValue(dirs, 'memory', 'memory.limit_in_bytes')).toBe(
      String(defaults.memoryLimitMb * 1024 ** 2),
    );
    expect(cgroupValue(dirs, 'cpu', 'cpu.cfs_quota_us')).toBe(
      String(Math.round(defaults.cpuLimit * 100_000)),
    );
    // At the top of the cpu hierarchy, where each server weighs as much as any process: nested
    // under one parent, all servers together would weigh as one process against the rest.
    expect(groupOf(dirs, 'cpu')).toBe(`/sys/fs/cgroup/cpu/coursehub-server-${ALICE}`);
    await stopServer(ALICE);
  });

  it(
    'caps a fork bomb at the process limit; the hub and another server keep answering; stop ends it all',
    { timeout: 240_000 },
    async () => {
      const { server: bob } = await startServer(BOB);
      const { server, dirs } = await startServer(ALICE);
      const max = cgroupValue(dirs, 'pids', 'pids.max');
      // Never set off an uncapped fork bomb on a shared machine.
      if (!/^\d+$/.test(max) || Number(max) > 4096)
        throw new Error(`refusing to run a fork bomb: pids.max is ${max}`);
      const alice = (await lookupUnixAccount(ALICE))!;
      const kernel = await openKernel(server.url, server.token);
      kernel.send(FORK_BOMB);
      const events = join(groupOf(dirs, 'pids'), 'pids.events');
      await waitUntil(() => cgroupCounter(events, 'max') > 0, 60_000, 'the bomb to reach the process limit');

      expect(Number(cgroupValue(dirs, 'pids', 'pids.current'))).toBeLessThanOrEqual(defaults.processLimit);
      expect(liveProcessesOf(alice.uid).length).toBeLessThanOrEqual(defaults.processLimit);
      await everyoneElseAnswers(bob);
      expect(cgroupCounter(events, 'max')).toBeGreaterThan(0); // still refusing forks meanwhile

      await kernel.close().catch(() => undefined);
      await stopServer(ALICE);
      expect(liveProcessesOf(alice.uid)).toEqual([]);
      for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    },
  );

  it(
    'has a memory hog killed by the OOM killer inside its cgroup; its server, the hub and another server go on',
    { timeout: 240_000 },
    async () => {
      const bob = hub.services.servers
        .readyServers()
        .find((s) => s.userName === BOB)!
        .spawner.current()!;
      const { spawner, server, dirs } = await startServer(ALICE);
      const limit = Number(cgroupValue(dirs, 'memory', 'memory.limit_in_bytes'));
      if (limit > 2 * 1024 ** 3)
        throw new Error(`refusing to run a memory hog: memory.limit_in_bytes is ${limit}`);
      const serverPid = spawner.pid()!;
      const kernel = await openKernel(server.url, server.token);
      const outcome = await kernel.execute(MEMORY_HOG, 120_000);
      expect(outcome.output).not.toContain('allocated');
      expect(outcome.ended).toBe('died');
      const oom = join(groupOf(dirs, 'memory'), 'memory.oom_control');
      expect(cgroupCounter(oom, 'oom_kill')).toBeGreaterThan(0);
      // The notebook server itself was not the one killed, and answers.
      expect(await spawner.poll()).toBeNull();
      expect(spawner.pid()).toBe(serverPid);
      const status = await fetch(`${hub.proxy.publicUrl}/user/${ALICE}/api/status`, {
        headers: { authorization: `token ${tokens[ALICE]}` },
      });
      expect(status.status).toBe(200);
      await everyoneElseAnswers(bob);
      await kernel.close().catch(() => undefined);
    },
  );
});

describe.runIf(isRoot)('the rlimit stand-ins, where cgroups are not written', () => {
  let root: string;
  const lines: string[] = [];
  let spawner: LocalProcessSpawner;

  function options(): LocalProcessSpawnerOptions {
    return {
      ...defaults.local,
      homeRoot: join(root, 'homes'),
      environment: {},
      memoryLimitMb: defaults.memoryLimitMb,
      cpuLimit: defaults.cpuLimit,
      processLimit: defaults.processLimit,
      cgroups: false,
      logDir: join(root, 'logs'),
      log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    };
  }

  beforeAll(() => {
    removeUnixAccount(CAROL);
    root = mkdtempSync(join(tmpdir(), 'coursehub-limits-'));
    chmodSync(root, 0o755);
  });
  afterAll(async () => {
    await spawner?.stop();
    removeUnixAccount(CAROL);
    rmSync(root, { recursive: true, force: true });
  });

  it('sets RLIMIT_NPROC, RLIMIT_AS and no core dumps on the server, and logs which limits hold how', async () => {
    spawner = new LocalProcessSpawner(CAROL, '', options());
    const server = await spawner.start({
      userName: CAROL,
      serverName: '',
      baseUrl: `/user/${CAROL}/`,
      hubEnv: {},
    });
    expect(spawner.getState().cgroupDirs).toEqual([]);
    await waitUntil(
      () =>
        fetch(new URL('api', server.url)).then(
          (r) => r.status === 200,
          () => false,
        ),
      60_000,
      'the server to answer',
    );
    const carol = (await lookupUnixAccount(CAROL))!;
    const notebook = liveProcessesOf(carol.uid).find((p) =>
      /^\S*python3\S* \S*jupyter-notebook/.test(p.cmdline),
    )!;
    const limits = readFileSync(`/proc/${notebook.pid}/limits`, 'utf8');
    expect(limits).toMatch(
      new RegExp(`^Max processes\\s+${defaults.processLimit}\\s+${defaults.processLimit}\\s`, 'm'),
    );
    const addressSpace = 2 * defaults.memoryLimitMb * 1024 ** 2;
    expect(limits).toMatch(new RegExp(`^Max address space\\s+${addressSpace}\\s+${addressSpace}\\s`, 'm'));
    expect(limits).toMatch(/^Max core file size\s+0\s+0\s/m);
    const started = lines
      .map((l) => JSON.parse(l) as { msg: string })
      .find((l) => /started user server/.test(l.msg));
    expect(started?.msg).toMatch(/processes \d+ per account \(rlimit NPROC\)/);
    expect(started?.msg).toMatch(/memory \d+ MiB \(rlimit AS/);
    expect(started?.msg).toMatch(/cpu unlimited/);
  });

  it(
    'caps a fork bomb by RLIMIT_NPROC and refuses a memory hog with MemoryError; the server goes on',
    { timeout: 240_000 },
    async () => {
      const server = spawner.current()!;
      const carol = (await lookupUnixAccount(CAROL))!;
      const notebook = liveProcessesOf(carol.uid).find((p) =>
        /^\S*python3\S* \S*jupyter-notebook/.test(p.cmdline),
      )!;
      const nproc = /^Max processes\s+(\d+)/m.exec(readFileSync(`/proc/${notebook.pid}/limits`, 'utf8'));
      if (!nproc || Number(nproc[1]) > 4096)
        throw new Error('refusing to run a fork bomb: the server has no RLIMIT_NPROC');

      const hog = await runCodeOnServer(server.url, server.token, MEMORY_HOG);
      expect(hog).toMatch(/^MemoryError/);

      const kernel = await openKernel(server.url, server.token);
      kernel.send(FORK_BOMB);
      let most = 0;
      await waitUntil(
        () => {
          most = Math.max(most, liveProcessesOf(carol.uid).length);
          return most >= defaults.processLimit - 20;
        },
        60_000,
        'the bomb to fill the process limit',
      );
      for (let look = 0; look < 20; look += 1) {
        most = Math.max(most, liveProcessesOf(carol.uid).length);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(most).toBeLessThanOrEqual(defaults.processLimit);
      expect(
        (
          await fetch(new URL('api/status', server.url), {
            headers: { Authorization: `token ${server.token}` },
          })
        ).status,
      ).toBe(200);
      await kernel.close().catch(() => undefined);
      await spawner.stop();
      await waitUntil(() => liveProcessesOf(carol.uid).length === 0, 30_000, "carol's processes to end");
    },
  );
});
