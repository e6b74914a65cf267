// LocalProcessSpawner against the real Debian jupyter-notebook, real Unix accounts, real cgroups
// and bubblewrap (the hub runs as root on these machines, as the spawner expects).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  chownSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalProcessSpawner,
  type LocalProcessSpawnerOptions,
} from '../../../src/hub/spawner/local-process-spawner.js';
import { UnixAccountError } from '../../../src/sandbox/errors.js';
import { ensureUnixAccount, lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { cgroupPids } from '../../../src/sandbox/cgroup.js';
import { runCodeOnServer } from './run-code.js';
import { removeUnixAccount } from './test-accounts.js';

const ALICE = 'chsp_alice';
const BOB = 'chsp_bob';
const OUTSIDER = 'chsp_outsider';
const LOCAL = 'chsp_local';
const HUB_SECRET = 'hub-secret-value-that-must-not-leak';
// A secret of the hub's in /etc/coursehub, readable by everyone on the host (as an admin might
// leave one): the mask list (src/sandbox/system-view.ts) must hide it from user servers too.
const ETC_COURSEHUB = '/etc/coursehub';
const ETC_SECRET = join(ETC_COURSEHUB, `test-secret-${process.pid}.yaml`);
let madeEtcCoursehub = false;

let root: string;
const started: LocalProcessSpawner[] = [];

function options(overrides: Partial<LocalProcessSpawnerOptions> = {}): LocalProcessSpawnerOptions {
  return {
    command: ['/usr/bin/jupyter-notebook'],
    args: [
      '--NotebookApp.base_url={base_url}',
      '--ip=127.0.0.1',
      '--port={port}',
      '--NotebookApp.port_retries=0',
      '--no-browser',
      '--notebook-dir={home}',
    ],
    homeRoot: join(root, 'homes'),
    sandbox: 'auto',
    environment: {},
    memoryLimitMb: 512,
    cpuLimit: 1,
    processLimit: 256,
    logDir: join(root, 'logs'),
    log: pino({ level: 'silent' }),
    ...overrides,
  };
}

async function waitReady(url: string, token: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(new URL('api/status', url), { headers: { Authorization: `token ${token}` } })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} never answered`);
}

async function startServer(user: string, overrides: Partial<LocalProcessSpawnerOptions> = {}) {
  const spawner = new LocalProcessSpawner(user, '', options(overrides));
  started.push(spawner);
  const server = await spawner.start({
    userName: user,
    serverName: '',
    baseUrl: `/user/${user}/`,
    hubEnv: {
      JUPYTERHUB_USER: user,
      JUPYTERHUB_API_TOKEN: 'server-scoped-token',
      JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_SERVICE_PREFIX: `/user/${user}/`,
      JUPYTERHUB_SERVER_NAME: '',
    },
  });
  await waitReady(server.url, server.token);
  return { spawner, server };
}

beforeAll(() => {
  for (const name of [ALICE, BOB, OUTSIDER, LOCAL]) removeUnixAccount(name);
  root = mkdtempSync(join(tmpdir(), 'coursehub-spawner-'));
  chmodSync(root, 0o755);
  process.env.COURSEHUB_TEST_HUB_SECRET = HUB_SECRET;
  if (!existsSync(ETC_COURSEHUB)) {
    mkdirSync(ETC_COURSEHUB, { mode: 0o755 });
    madeEtcCoursehub = true;
  }
  writeFileSync(ETC_SECRET, `cookieSecret: ${HUB_SECRET}\n`, { mode: 0o644 });
  chmodSync(ETC_SECRET, 0o644);
});

afterAll(async () => {
  for (const spawner of started) await spawner.stop();
  for (const name of [ALICE, BOB, OUTSIDER, LOCAL]) removeUnixAccount(name);
  rmSync(root, { recursive: true, force: true });
  delete process.env.COURSEHUB_TEST_HUB_SECRET;
  rmSync(ETC_SECRET, { force: true });
  if (madeEtcCoursehub) rmSync(ETC_COURSEHUB, { recursive: true, force: true });
});

describe('LocalProcessSpawner', () => {
  it("runs jupyter-notebook as the user's own new account, with a private home", async () => {
    const { server } = await startServer(ALICE);
    const account = await lookupUnixAccount(ALICE);
    expect(account).toBeDefined();
    expect(account!.uid).toBeGreaterThanOrEqual(1000);
    expect(account!.home).toBe(join(root, 'homes', ALICE));
    expect(statSync(account!.home).mode & 0o777).toBe(0o700);
    expect(statSync(account!.home).uid).toBe(account!.uid);
    const out = await runCodeOnServer(
      server.url,
      server.token,
      'import os, getpass; print(os.getuid(), getpass.getuser(), os.getcwd())',
    );
    expect(out.trim()).toBe(`${account!.uid} ${ALICE} ${account!.home}`);
  });

  it('refuses a request without the per-start token', async () => {
    const { server } = await startServer(BOB);
    const anonymous = await fetch(new URL('api/contents', server.url));
    expect(anonymous.status).toBe(403);
    const wrong = await fetch(new URL('api/contents', server.url), {
      headers: { Authorization: 'token nope' },
    });
    expect(wrong.status).toBe(403);
  });

  it("gives the server JupyterHub's variables and nothing of the hub's environment; the token is not in argv", async () => {
    const spawner = started[0]!;
    const pids = await cgroupPids(spawner.getState().cgroupDirs as string[]);
    expect(pids.length).toBeGreaterThan(0);
    let sawNotebook = false;
    for (const pid of pids) {
      let environ: string;
      let cmdline: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const vars = new Map(
        environ
          .split('\0')
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      expect(environ).not.toContain(HUB_SECRET);
      expect([...vars.keys()].some((k) => k.startsWith('COURSEHUB'))).toBe(false);
      expect(cmdline).not.toContain(spawner.current()!.token);
      if (cmdline.includes('jupyter-notebook')) {
        sawNotebook = true;
        expect(vars.get('JUPYTERHUB_USER')).toBe(ALICE);
        expect(vars.get('JUPYTERHUB_API_TOKEN')).toBe('server-scoped-token');
        expect(vars.get('JUPYTERHUB_SERVICE_PREFIX')).toBe(`/user/${ALICE}/`);
        expect(vars.get('JUPYTERHUB_SERVER_NAME')).toBe('');
        expect(vars.get('USER')).toBe(ALICE);
        expect(vars.get('HOME')).toBe(join(root, 'homes', ALICE));
        expect(vars.get('LANG')).toBe('C.UTF-8');
      }
    }
    expect(sawNotebook).toBe(true);
  });

  it('puts the server in cgroups with the configured memory and CPU limits', async () => {
    const dirs = started[0]!.getState().cgroupDirs as string[];
    const memory = dirs.find((d) => d.includes('/memory/'))!;
    expect(readFileSync(join(memory, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(
      String(512 * 1024 * 1024),
    );
    const cpu = dirs.find((d) => d.includes('/cpu/'))!;
    expect(readFileSync(join(cpu, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('100000');
    expect(readFileSync(join(memory, 'cgroup.procs'), 'utf8')).toContain(String(started[0]!.pid()));
  });

  it("alice's server cannot read bob's home (bubblewrap on)", async () => {
    const bob = (await lookupUnixAccount(BOB))!;
    const secret = join(bob.home, 'secret.txt');
    writeFileSync(secret, 'bob-only');
    chownSync(secret, bob.uid, bob.gid);
    const alice = started[0]!.current()!;
    const out = await runCodeOnServer(
      alice.url,
      alice.token,
      `print(open(${JSON.stringify(secret)}).read())`,
    );
    expect(out).toMatch(/^(PermissionError|FileNotFoundError)/);
    expect(out).not.toContain('bob-only');
  });

  it("hides the host's secrets (the grading sandbox's mask list) from the user's server, which still works", async () => {
    const alice = started[0]!.current()!;
    const out = await runCodeOnServer(
      alice.url,
      alice.token,
      [
        `for path in [${JSON.stringify(ETC_SECRET)}, "/etc/shadow", "/etc/gshadow"]:`,
        '    try:',
        '        print("READ", path, open(path).read())',
        '    except OSError as error:',
        '        print("refused", path, type(error).__name__)',
        'import os; print("listing", os.listdir("/etc/coursehub") if os.access("/etc/coursehub", os.R_OK) else "refused")',
        'print("hostname", bool(open("/etc/hostname").read()))',
      ].join('\n'),
    );
    expect(out).not.toContain('READ');
    expect(out).not.toContain(HUB_SECRET);
    expect(out).toContain(`refused ${ETC_SECRET} PermissionError`);
    expect(out).toContain('listing refused');
    expect(out).toContain('hostname True');
  });

  it("alice's server cannot read bob's home without bubblewrap either (mode 700, other uid)", async () => {
    await started[0]!.stop();
    const { server } = await startServer(ALICE, { sandbox: 'none' });
    const bob = (await lookupUnixAccount(BOB))!;
    const out = await runCodeOnServer(
      server.url,
      server.token,
      `print(open(${JSON.stringify(join(bob.home, 'secret.txt'))}).read())`,
    );
    expect(out).toMatch(/^PermissionError/);
  });

  it('re-attaches from saved state, then stop() ends the server and its kernels', async () => {
    const original = started[started.length - 1]!;
    const { url, token } = original.current()!;
    await runCodeOnServer(url, token, 'x = 1'); // leaves nothing running, but proves a kernel could start
    const keep = await fetch(new URL('api/kernels', url), {
      method: 'POST',
      headers: { Authorization: `token ${token}` },
      body: '{}',
    });
    expect(keep.status).toBe(201);
    const state = JSON.parse(JSON.stringify(original.getState())) as Record<string, unknown>;

    const reattached = new LocalProcessSpawner(ALICE, '', options({ sandbox: 'none' }));
    reattached.loadState(state);
    expect(await reattached.poll()).toBeNull();
    const before = await cgroupPids(state.cgroupDirs as string[]);
    expect(before.length).toBeGreaterThanOrEqual(2); // the server and its kernel
    await reattached.stop();
    expect(await reattached.poll()).not.toBeNull();
    expect(await original.poll()).not.toBeNull();
    for (const pid of before) expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(new URL('api', url))).rejects.toThrow();
  });

  it('refuses hub names that are system accounts or not Unix names, creating nothing', async () => {
    for (const name of ['root', 'daemon', 'postgres', 'systemd-network']) {
      await expect(ensureUnixAccount(name, join(root, 'homes'))).rejects.toBeInstanceOf(UnixAccountError);
    }
    await expect(ensureUnixAccount('Alice@example.org', join(root, 'homes'))).rejects.toThrow(
      /cannot be a Unix account name/,
    );
  });

  it('never takes over an ordinary account coursehub did not make, wherever its home is (home untouched)', async () => {
    const homes = join(root, 'homes');
    const cases = [
      // One whose home happens to be under the home root (a hub user named like a host account
      // when the home root is /home): the dangerous case, taken over before.
      { name: LOCAL, home: join(homes, LOCAL) },
      // An account of the machine's own, home elsewhere (as a uid >= 1000 login of the host).
      { name: OUTSIDER, home: join(root, 'elsewhere', OUTSIDER) },
    ];
    for (const { name, home } of cases) {
      mkdirSync(dirname(home), { recursive: true });
      execFileSync('useradd', ['--create-home', '--home-dir', home, '--comment', 'made by the admin', name]);
      chmodSync(home, 0o755);
      writeFileSync(join(home, 'private.txt'), 'the owner’s');
      const account = (await lookupUnixAccount(name))!;
      expect(account.uid).toBeGreaterThanOrEqual(1000);

      await expect(ensureUnixAccount(name, homes)).rejects.toBeInstanceOf(UnixAccountError);
      await expect(ensureUnixAccount(name, homes)).rejects.toThrow(/was not made by coursehub/);
      // A start through the spawner is refused with the same clear error, before anything runs.
      const spawner = new LocalProcessSpawner(name, '', options());
      await expect(
        spawner.start({ userName: name, serverName: '', baseUrl: `/user/${name}/`, hubEnv: {} }),
      ).rejects.toThrow(/was not made by coursehub/);
      expect(spawner.pid()).toBeUndefined();
      expect(statSync(home).mode & 0o777).toBe(0o755);
      expect(statSync(home).uid).toBe(account.uid);
    }
  });
});
