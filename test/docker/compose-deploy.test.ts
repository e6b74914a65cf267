// The compose deployment as a newcomer runs it: `make build` builds the repository's Dockerfile,
// `make up` starts the hub in its container beside PostgreSQL, and users' servers start as
// containers of their own through the hub's Docker spawner. Then an upgrade, `make build && make up`
// with a changed source: a new hub container from a new image, which must keep the database, the
// running servers, users' files and each user's uid (the accounts the old container made).
//
// No registry is reachable here, so the compose file's base images are stand-ins built from the
// Docker tests' Debian root (scripts/docker-test-env --deploy): this machine's Node 20 for
// NODE_IMAGE, Debian's PostgreSQL 15 for POSTGRES_IMAGE, the test notebook image for
// DOCKER_NOTEBOOK_IMAGE. Everything else is the repository's files, unchanged.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/postgres.js';
import {
  docker,
  DOCKER_SETUP_TIMEOUT_MS,
  dockerTestImage,
  execIn,
  removeDockerLeftovers,
} from './support/docker-env.js';

const REPO = resolve(import.meta.dirname, '..', '..');
/** What the Dockerfile and the Makefile read: the repository as a user clones it. */
const SOURCES = [
  ...['Makefile', 'docker-compose.yml', '.env.example', 'Dockerfile', '.dockerignore'],
  ...['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'],
  ...['bin', 'src', 'share', 'examples', 'notebook'],
];
const ADA = 'chdp_ada'; // an instructor: an admin of the hub
const BO = 'chdp_bo';
const ID = `${process.pid}`;
const PROJECT = `chdeploy${ID}`;
const NETWORK = `chdeploy-net-${ID}`;
const DATA_VOLUME = `chdeploy-data-${ID}`;
const DB_VOLUME = `chdeploy-db-${ID}`;
const HUB_TMPDIR = `/tmp/chdeploy-${ID}`;
const COURSE = 'chdeploy101';
const CLI = join(REPO, 'bin/coursehub.js');
/** One tag on every run, so that a rerun builds from Docker's cache. */
const HUB_IMAGE = 'coursehub-test-hub:latest';

let dir: string;
let base: string;
let tls: Agent;
let token: string;

function run(command: string, args: string[], timeout = DOCKER_SETUP_TIMEOUT_MS): string {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout, env: process.env });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${output.slice(-4000)}`);
  return output;
}

const make = (target: string) => run('make', ['--no-print-directory', target, 'COMPOSE=docker-compose']);

function hubContainer() {
  return docker.getContainer(`${PROJECT}_coursehub_1`);
}

async function hubLog(): Promise<string> {
  const log = await hubContainer()
    .logs({ stdout: true, stderr: true, tail: 60 })
    .catch((error: Error) => Buffer.from(error.message));
  return log.toString('utf8');
}

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `token ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    dispatcher: tls,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Waits for `check` to hold, failing with the hub's log when it never does. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s. The hub's log ends with:\n${await hubLog()}`);
}

const hubAnswers = async () =>
  (await fetch(`${base}/hub/api/`, { dispatcher: tls }).then((r) => r.status)) === 200;

async function startServer(user: string): Promise<void> {
  const started = await api(`/hub/api/users/${user}/server`, { method: 'POST' });
  expect([201, 202], started.text).toContain(started.status);
  await waitFor(`${user}'s server ready`, async () => {
    const model = (await api(`/hub/api/users/${user}`)).json();
    return (model.servers as Record<string, { ready: boolean }>)['']?.ready === true;
  });
}

async function stopServer(user: string): Promise<void> {
  const stopped = await api(`/hub/api/users/${user}/server`, { method: 'DELETE' });
  expect([202, 204], stopped.text).toContain(stopped.status);
  await waitFor(`${user}'s server stopped`, async () => {
    const model = (await api(`/hub/api/users/${user}`)).json();
    return !(model.servers as Record<string, unknown>)[''];
  });
}

async function uidIn(user: string): Promise<{ uid: string; name: string }> {
  const uid = await execIn(`jupyter-${user}`, ['id', '-u'], user);
  const name = await execIn(`jupyter-${user}`, ['id', '-un'], user);
  return { uid: uid.output.trim(), name: name.output.trim() };
}

/** A token of `user`, made by the hub's own command in the hub's container. */
function tokenOf(user: string): string {
  const created = execFileSync(
    'docker',
    ['exec', `${PROJECT}_coursehub_1`, 'coursehub', 'token', 'create', user],
    {
      encoding: 'utf8',
    },
  );
  return created.trim().split('\n').at(-1)!;
}

/** `coursehub nbgrader ARGS --course COURSE` on this machine against the hub, as `userToken`'s owner. */
function nbgrader(userToken: string, args: string[], cwd = dir): string {
  const result = spawnSync(process.execPath, [CLI, 'nbgrader', ...args, '--course', COURSE], {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: {
      ...process.env,
      HOME: cwd,
      // The self-signed certificate's name (make self-signed-cert: CN=localhost).
      JUPYTERHUB_API_URL: `${base.replace('127.0.0.1', 'localhost')}/hub/api`,
      JUPYTERHUB_API_TOKEN: userToken,
      NODE_EXTRA_CA_CERTS: join(dir, 'secrets/jupyterhub.crt'),
    },
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`coursehub nbgrader ${args.join(' ')} failed:\n${output}`);
  return output;
}

async function cleanUp(): Promise<void> {
  if (dir) spawnSync('docker-compose', ['down', '--timeout', '5'], { cwd: dir, stdio: 'ignore' });
  await removeDockerLeftovers([ADA, BO]);
  for (const volume of [DATA_VOLUME, DB_VOLUME])
    await docker
      .getVolume(volume)
      .remove()
      .catch(() => undefined);
  await docker
    .getNetwork(NETWORK)
    .remove()
    .catch(() => undefined);
  rmSync(HUB_TMPDIR, { recursive: true, force: true });
}

beforeAll(async () => {
  const notebookImage = await dockerTestImage(true);
  await cleanUp();
  dir = mkdtempSync(join(tmpdir(), 'coursehub-compose-'));
  for (const source of SOURCES) cpSync(join(REPO, source), join(dir, source), { recursive: true });
  const httpsPort = await freePort();
  const settings = readFileSync(join(dir, '.env.example'), 'utf8')
    .replace(/^DOCKER_NETWORK_NAME=.*$/m, `DOCKER_NETWORK_NAME=${NETWORK}`)
    .replace(/^DOCKER_NOTEBOOK_IMAGE=.*$/m, `DOCKER_NOTEBOOK_IMAGE=${notebookImage}`)
    .replace(/^NODE_IMAGE=.*$/m, 'NODE_IMAGE=coursehub-test-node:20')
    .replace(/^POSTGRES_IMAGE=.*$/m, 'POSTGRES_IMAGE=coursehub-test-postgres:15')
    .replace(/^DATA_VOLUME_HOST=.*$/m, `DATA_VOLUME_HOST=${DATA_VOLUME}`)
    .replace(/^DB_VOLUME_HOST=.*$/m, `DB_VOLUME_HOST=${DB_VOLUME}`)
    .replace(/^HUB_TMPDIR=.*$/m, `HUB_TMPDIR=${HUB_TMPDIR}`)
    .replace(/^HTTPS_PORT=.*$/m, `HTTPS_PORT=${httpsPort}`)
    .replace(/^HTTP_PORT=.*$/m, `HTTP_PORT=${await freePort()}`)
    .replace(/^COURSE_NAME=.*$/m, `COURSE_NAME=${COURSE}`);
  writeFileSync(
    join(dir, '.env'),
    `${settings}\nCOMPOSE_PROJECT_NAME=${PROJECT}\nCOURSEHUB_IMAGE=${HUB_IMAGE}\n`,
  );
  mkdirSync(join(dir, 'secrets'));
  // GitHub cannot be reached from here; the test signs in with a token the hub's own command makes.
  writeFileSync(
    join(dir, 'secrets/oauth.env'),
    'GITHUB_CLIENT_ID=test-client\nGITHUB_CLIENT_SECRET=test-secret\nOAUTH_CALLBACK_URL=https://localhost/hub/oauth_callback\n',
  );
  writeFileSync(
    join(dir, 'instructors.csv'),
    `id,first_name,last_name,email\n${ADA},Ada,Lovelace,ada@example.org\n`,
  );
  writeFileSync(
    join(dir, 'students.csv'),
    `id,first_name,last_name,email\n${BO},Bo,Diddley,bo@example.org\n`,
  );
  run('make', ['--no-print-directory', 'self-signed-cert'], 60_000);
  tls = new Agent({
    connect: { ca: readFileSync(join(dir, 'secrets/jupyterhub.crt')), servername: 'localhost' },
  });
  base = `https://127.0.0.1:${httpsPort}`;
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await tls?.close();
  await cleanUp();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('make build && make up: the hub in its container', () => {
  let adaUid: string;
  let hubId: string;
  let adaContainerId: string;

  it(
    'builds the Dockerfile, starts hub and PostgreSQL, and starts a user server as a container through the hub',
    async () => {
      make('build');
      make('up');
      await waitFor('the hub answering over https', hubAnswers);
      hubId = (await hubContainer().inspect()).Id;
      // The hub's own command, in the hub's container, against the PostgreSQL beside it.
      token = tokenOf(ADA);
      const me = await api('/hub/api/user');
      expect(me.status, me.text).toBe(200);
      expect(me.json()).toMatchObject({ name: ADA, admin: true });

      await startServer(ADA);
      const container = await docker.getContainer(`jupyter-${ADA}`).inspect();
      adaContainerId = container.Id;
      expect(Object.keys(container.NetworkSettings.Networks)).toEqual([NETWORK]);
      const mounts = container.Mounts.map((mount) => mount.Name);
      expect(mounts).toContain(`jupyterhub-user-${ADA}`);
      // share/singleuser/ reaches the server although the hub's installation is in its container.
      const config = await execIn(`jupyter-${ADA}`, [
        'cat',
        '/opt/coursehub/singleuser/jupyter_notebook_config.py',
      ]);
      expect(config.output).toBe(
        readFileSync(join(REPO, 'share/singleuser/jupyter_notebook_config.py'), 'utf8'),
      );
      const who = await uidIn(ADA);
      expect(who.name).toBe(ADA);
      adaUid = who.uid;
      expect(Number(adaUid)).toBeGreaterThanOrEqual(1000);

      // Through the hub's proxy on the published https port: write a file into the home volume.
      const put = await api(`/user/${ADA}/api/contents/kept.txt`, {
        method: 'PUT',
        body: { type: 'file', format: 'text', content: 'written before the upgrade' },
      });
      expect(put.status, put.text).toBe(201);
    },
    DOCKER_SETUP_TIMEOUT_MS,
  );

  it(
    "an upgrade (changed source, make build && make up) keeps the database, the running server, the files and each user's uid",
    async () => {
      expect(token, 'the first test did not get as far as a token').toBeTruthy();
      const oldImage = (await hubContainer().inspect()).Image;
      appendFileSync(join(dir, 'share/docker/hub-entrypoint.sh'), '# upgraded\n');
      make('build');
      make('up');
      const upgraded = await hubContainer().inspect();
      expect(upgraded.Image).not.toBe(oldImage);
      expect(upgraded.Id).not.toBe(hubId); // a new container: the image's /etc again
      await waitFor('the upgraded hub answering over https', hubAnswers);

      // The token is in PostgreSQL; the server was left running and the new hub re-attached to it.
      const model = (await api(`/hub/api/users/${ADA}`)).json();
      expect((model.servers as Record<string, { ready: boolean }>)['']?.ready).toBe(true);
      expect((await docker.getContainer(`jupyter-${ADA}`).inspect()).Id).toBe(adaContainerId);
      const kept = await api(`/user/${ADA}/api/contents/kept.txt`);
      expect(kept.status, kept.text).toBe(200);
      expect(kept.json().content).toBe('written before the upgrade');

      // A user first started after the upgrade gets an account of their own: not ada's uid.
      await startServer(BO);
      const bo = await uidIn(BO);
      expect(bo.name).toBe(BO);
      expect(bo.uid).not.toBe(adaUid);

      // Ada's next server, made by the new container, runs as the uid her files carry.
      await stopServer(ADA);
      await startServer(ADA);
      expect(await uidIn(ADA)).toEqual({ uid: adaUid, name: ADA });
      const again = await api(`/user/${ADA}/api/contents/kept.txt`);
      expect(again.json().content).toBe('written before the upgrade');
      const owner = await execIn(`jupyter-${ADA}`, ['stat', '-c', '%u', `/home/${ADA}/kept.txt`]);
      expect(owner.output.trim()).toBe(adaUid);
    },
    DOCKER_SETUP_TIMEOUT_MS,
  );

  it("refuses to start when dockerd would not find the hub's folders at the same paths", () => {
    // The image run by hand with its data on a volume at /srv/coursehub/data and TMPDIR in the
    // container: both would be other folders for dockerd.
    const result = spawnSync(
      'docker',
      [
        ...['run', '--rm', '--network', 'none', '-v', '/var/run/docker.sock:/var/run/docker.sock'],
        ...['-v', '/srv/coursehub/data', '-e', 'COURSEHUB_SPAWNER_CLASS=docker', HUB_IMAGE, 'start'],
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status, result.stdout).not.toBe(0);
    expect(result.stderr).toMatch(
      /hands dockerd folders by path.*\/srv\/coursehub\/data is the host's \/var\/lib\/docker\/volumes\/[0-9a-f]+\/_data \(mounted at \/srv\/coursehub\/data\); \/tmp is inside the hub's container only/s,
    );
  }, 180_000);

  it(
    "runs a class round with the hub in its container: the student's submission graded in a throwaway container",
    async () => {
      expect(token, 'the first test did not get as far as a token').toBeTruthy();
      // The seed's course (COURSE_NAME) is on the data volume, at the same path on this host.
      const course = join('/var/lib/docker/volumes', DATA_VOLUME, '_data', 'courses', COURSE);
      cpSync(join(REPO, 'examples/sample-course/source'), join(course, 'source'), { recursive: true });
      nbgrader(token, ['db', 'assignment', 'add', 'hello', '--duedate', '2099-01-01 00:00:00 UTC']);
      nbgrader(token, ['generate_assignment', 'hello']);
      nbgrader(token, ['release_assignment', 'hello']);

      // The student's terminal, standing in for one in their server: their volume is their home.
      const boToken = tokenOf(BO);
      const home = join('/var/lib/docker/volumes', `jupyterhub-user-${BO}`, '_data');
      nbgrader(boToken, ['fetch_assignment', 'hello'], home);
      const { uid, gid } = statSync(home);
      execFileSync('chown', ['-R', `${uid}:${gid}`, join(home, 'hello')]);
      const file = join(home, 'hello/hello.ipynb');
      const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells: { source: string | string[] }[] };
      const answer = notebook.cells.find((cell) => [cell.source].flat().join('').startsWith('def mean('))!;
      answer.source =
        'def mean(numbers):\n    if not numbers:\n        raise ValueError("no numbers")\n    return sum(numbers) / len(numbers)\n';
      writeFileSync(file, JSON.stringify(notebook));
      nbgrader(boToken, ['submit', 'hello'], home);
      const work = mkdtempSync(join(dir, 'grades-'));

      nbgrader(token, ['collect', 'hello']);
      const since = Math.floor(Date.now() / 1000) - 1;
      const graded = nbgrader(token, ['autograde', 'hello']);
      // The kernel ran in a grading container (container-sandbox.ts), not in the hub's.
      const events = await docker.getEvents({
        since,
        until: Math.ceil(Date.now() / 1000) + 1,
        filters: { type: ['container'], event: ['start'], label: ['coursehub.sandbox'] },
      });
      const started = await new Promise<string>((done, fail) => {
        let text = '';
        events.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        events.on('end', () => done(text));
        events.on('error', fail);
      });
      expect(started.trim().split('\n').filter(Boolean).length, graded).toBeGreaterThanOrEqual(1);
      nbgrader(token, ['export', '--to', join(work, 'grades.csv')]);
      const rows = readFileSync(join(work, 'grades.csv'), 'utf8').trim().split('\n');
      const header = rows[0]!.split(',');
      const bo = rows.map((row) => row.split(',')).find((row) => row[header.indexOf('student_id')] === BO);
      // The two tests (1 + 2 points) pass; the written answer (2 points) waits for a grader.
      expect(bo, `${graded}\n${rows.join('\n')}`).toBeDefined();
      expect(Number(bo![header.indexOf('score')])).toBe(3);
      expect(Number(bo![header.indexOf('max_score')])).toBe(5);
    },
    DOCKER_SETUP_TIMEOUT_MS,
  );
});
