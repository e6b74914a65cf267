/**
 * Spawn benchmark (`npm run bench:spawn`, as root): start-to-ready of a user's server through the
 * hub's REST API (POST /hub/api/users/NAME/server answers 201 once the server answers HTTP and
 * its proxy route exists) against starting the same jupyter-notebook by hand as the same Unix
 * account and polling it until it answers. 10 runs each, interleaved so both see the same machine
 * load. Then 20 users start at once; all must become ready. Last line: the ratio of medians.
 *
 * `npm run bench:spawn -- --docker`: the same with the Docker spawner and the test image
 * (scripts/docker-test-env makes it, and starts dockerd if none answers): the baseline is then
 * `docker run` of the same image, command, user, volume and network by hand, polled the same way.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { buildHub } from '../src/app/build-hub.js';
import { configSchema } from '../src/config/schema.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { startProxyProcess } from '../src/hub/proxy/proxy-process.js';
import { ensureProxySecret } from '../src/hub/proxy/secret.js';
import { freeLoopbackPort } from '../src/hub/spawner/free-port.js';
import { lookupUnixAccount } from '../src/sandbox/unix-accounts.js';

const DOCKER = process.argv.includes('--docker');
const RUNS = 10;
const CROWD = 20;
const SOLO = 'chbench_solo';
const ADMIN = 'chbench_admin';
const crowd = Array.from({ length: CROWD }, (_, i) => `chbench_u${String(i + 1).padStart(2, '0')}`);

function removeAccount(name: string): void {
  try {
    execFileSync('userdel', ['--remove', '--force', name], { stdio: 'ignore' });
  } catch {
    // not there
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitHttp(url: string): Promise<void> {
  for (;;) {
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    await sleep(20);
  }
}

/** The baseline: the same server command as the same account, started and polled by hand. */
async function startByHand(home: string, uid: number, gid: number): Promise<number> {
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  const child = spawn(
    '/usr/bin/jupyter-notebook',
    [
      `--NotebookApp.base_url=/user/${SOLO}/`,
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--NotebookApp.port_retries=0',
      '--no-browser',
      `--notebook-dir=${home}`,
    ],
    {
      uid,
      gid,
      cwd: home,
      detached: true,
      stdio: 'ignore',
      env: {
        HOME: home,
        USER: SOLO,
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        JUPYTER_TOKEN: randomBytes(16).toString('hex'),
      },
    },
  );
  await waitHttp(`http://127.0.0.1:${port}/user/${SOLO}/api`);
  const ms = performance.now() - t0;
  process.kill(-child.pid!, 'SIGKILL');
  await sleep(300);
  return ms;
}

/** The Docker baseline: `docker run` of the image as the spawner runs it, polled until it answers. */
async function dockerRunByHand(image: string, uid: number, gid: number): Promise<number> {
  const port = await freeLoopbackPort();
  const name = `chbench-by-hand-${port}`;
  const t0 = performance.now();
  execFileSync(
    'docker',
    [
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'host',
      '--init',
      '--user',
      'root',
      '--env',
      `NB_USER=${SOLO}`,
      '--env',
      `NB_UID=${uid}`,
      '--env',
      `NB_GID=${gid}`,
      '--env',
      `JUPYTER_TOKEN=${randomBytes(16).toString('hex')}`,
      '--volume',
      `jupyterhub-user-${SOLO}:/home/${SOLO}:nocopy`,
      image,
      'start.sh',
      'jupyter',
      'notebook',
      `--NotebookApp.base_url=/user/${SOLO}/`,
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--NotebookApp.port_retries=0',
      '--no-browser',
      `--notebook-dir=/home/${SOLO}`,
    ],
    { stdio: 'ignore' },
  );
  await waitHttp(`http://127.0.0.1:${port}/user/${SOLO}/api`);
  const ms = performance.now() - t0;
  execFileSync('docker', ['rm', '--force', name], { stdio: 'ignore' });
  return ms;
}

function removeDockerVolumes(names: string[]): void {
  for (const name of names)
    try {
      execFileSync('docker', ['volume', 'rm', '--force', `jupyterhub-user-${name}`], { stdio: 'ignore' });
    } catch {
      // not there
    }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error('bench:spawn runs as root (it makes Unix accounts, as the hub does).');
  for (const name of [SOLO, ADMIN, ...crowd]) removeAccount(name);
  const root = mkdtempSync(join(tmpdir(), 'coursehub-bench-spawn-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const secret = ensureProxySecret(dataDir);
  const proxy = await startProxyProcess({
    ip: '127.0.0.1',
    port: 0,
    apiIp: '127.0.0.1',
    apiPort: 0,
    defaultTarget: 'http://127.0.0.1:9',
    apiSecret: secret,
    verifySessionCookie: () => null,
    oracle: async () => ({ allowed: false, user: null }),
  });
  const config = configSchema.parse({
    hub: { dataDir, cookieSecret: 'b'.repeat(64), hubPort: 0 },
    proxy: { apiIp: '127.0.0.1', apiPort: Number(new URL(proxy.apiUrl).port) },
    spawner: {
      local: { homeRoot: join(root, 'homes') },
      ...(DOCKER
        ? {
            class: 'docker',
            docker: {
              image: execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'docker-test-env')], {
                encoding: 'utf8',
              }).trim(),
              pullPolicy: 'never',
            },
          }
        : {}),
    },
  });
  if (DOCKER) removeDockerVolumes([SOLO, ...crowd]);
  const database = openDatabase({ url: join(dataDir, 'coursehub.sqlite') });
  await migrateToLatest(database.db);
  const { app, services } = await buildHub({ config, db: database.db, log: pino({ level: 'warn' }) });
  const { users } = services;
  for (const name of [SOLO, ...crowd]) await users.create({ name, admin: false });
  await users.create({ name: ADMIN, admin: true });
  const { token } = await services.tokens.create({ user: ADMIN });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const hubApi = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hub/api`;
  const auth = { authorization: `token ${token}` };
  const call = async (method: string, path: string) => {
    const r = await fetch(`${hubApi}${path}`, { method, headers: auth });
    await r.body?.cancel();
    return r.status;
  };

  try {
    // Warm-up through the hub: makes the Unix account and warms the page cache for both paths.
    if ((await call('POST', `/users/${SOLO}/server`)) !== 201) throw new Error('warm-up start failed');
    await call('DELETE', `/users/${SOLO}/server`);
    const account = (await lookupUnixAccount(SOLO))!;
    const byHandOnce = () =>
      DOCKER
        ? dockerRunByHand(config.spawner.docker.image, account.uid, account.gid)
        : startByHand(account.home, account.uid, account.gid);
    await byHandOnce();
    console.log(DOCKER ? `Docker spawner, image ${config.spawner.docker.image}` : 'local spawner');

    const viaHub: number[] = [];
    const byHand: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const status = await call('POST', `/users/${SOLO}/server`);
      if (status !== 201) throw new Error(`start through the hub answered ${status}`);
      viaHub.push(performance.now() - t0);
      await call('DELETE', `/users/${SOLO}/server`);
      byHand.push(await byHandOnce());
    }
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
    console.log(`by hand   (ms): ${fmt(byHand)}  median ${median(byHand).toFixed(0)}`);
    console.log(`via hub   (ms): ${fmt(viaHub)}  median ${median(viaHub).toFixed(0)}`);

    const t0 = performance.now();
    const answers = await Promise.all(crowd.map((name) => call('POST', `/users/${name}/server`)));
    for (;;) {
      const ready = crowd.filter((name) => services.servers.status(name)?.ready).length;
      const failed = crowd.filter((name) => !services.servers.status(name)).length;
      if (ready === CROWD) break;
      if (failed > 0)
        throw new Error(`${failed} of ${CROWD} servers failed to start (answers: ${answers.join(',')})`);
      await sleep(50);
    }
    console.log(
      `${CROWD} users at once: all ${CROWD} ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (answers: ${[...new Set(answers)].join('/')})`,
    );
    await Promise.all(crowd.map((name) => call('DELETE', `/users/${name}/server`)));
    console.log(
      `hub start-to-ready / by hand (median ratio, goal <= 1.15): ${(median(viaHub) / median(byHand)).toFixed(3)}`,
    );
  } finally {
    for (const s of services.servers.readyServers())
      await (await services.servers.stop(s.userName)).done.catch(() => undefined);
    await app.close();
    await proxy.close();
    await database.close();
    for (const name of [SOLO, ADMIN, ...crowd]) removeAccount(name);
    if (DOCKER) removeDockerVolumes([SOLO, ...crowd]);
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
