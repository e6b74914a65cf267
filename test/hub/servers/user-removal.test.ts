// A removed user keeps nothing (issue 17, item 4), whichever way they are removed: the REST API's
// DELETE /hub/api/users/NAME, the admin console, `coursehub users import --prune`, and the roster
// prune at start. Each runs on a real hub with the real proxy and a real notebook server of the
// user's: afterwards the server process is gone, the proxy has no route for it and lets neither
// the user's token nor their session cookie through, the hub refuses the token, and the rows are
// gone. (One path does it all: src/hub/users/user-removal.ts.)
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHub, type RunningHub } from '../../../src/app/start.js';
import { registerUsersCommand } from '../../../src/cli/users.js';
import { SESSION_COOKIE_NAME } from '../../../src/hub/auth/session-cookie.js';
import { stopProxy } from '../../../src/hub/proxy/lifecycle.js';
import { removeUnixAccount } from '../spawner/test-accounts.js';
import { freePort } from '../../support/postgres.js';
import { removeEgressTable, testEgressTable } from '../../support/egress-table.js';
import { startTestHub, type TestHub } from './hub-fixture.js';

const HEADER = 'id,first_name,last_name,email\n';
const roster = (names: string[]) => HEADER + names.map((n) => `${n},${n},X,\n`).join('');

/** What a removed user had, to try again afterwards. */
interface Belongings {
  name: string;
  token: string;
  cookie: string;
  /** The server as the proxy reaches it, e.g. http://127.0.0.1:41234/user/NAME/ */
  serverUrl: string;
}

/** Asserts that nothing of `was` works any more, through `publicUrl` (the proxy) and `hubApi`. */
async function expectNothingLeft(was: Belongings, publicUrl: string, hubApi: string): Promise<void> {
  // The server process is gone: its port answers nobody.
  await expect(fetch(new URL('api/status', was.serverUrl))).rejects.toThrow();
  // The proxy has no route: a browser (GET) is sent to the hub's "not running" page, an API call
  // (POST) is told the server is not running. Neither reaches a server.
  const status = `${publicUrl}/user/${was.name}/api/status`;
  const credentials: Record<string, string>[] = [
    { authorization: `token ${was.token}` },
    { cookie: was.cookie },
  ];
  for (const headers of credentials) {
    const get = await fetch(status, { headers, redirect: 'manual' });
    expect(get.status).toBe(302);
    expect(get.headers.get('location')).toBe(`/hub/user/${was.name}/api/status`);
    const post = await fetch(`${publicUrl}/user/${was.name}/api/contents`, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json' },
    });
    expect(post.status).toBe(503);
    expect(await post.json()).toMatchObject({
      message: `${was.name}'s server is not running. Start it from /hub/home.`,
    });
  }
  // The hub knows neither credential.
  const me = await fetch(`${hubApi}/user`, { headers: { authorization: `token ${was.token}` } });
  expect(me.status).toBe(403);
  const bySession = await fetch(`${hubApi}/user`, { headers: { cookie: was.cookie } });
  expect(bySession.status).toBe(403);
}

/**
 * A new user given the removed one's name gets a server of their own: the old token and session
 * cookie must not open it (the proxy was told they ended; they are not merely unknown routes).
 * GET with a credential the proxy refuses is sent to the login page.
 */
async function expectNothingInherited(
  was: Belongings,
  publicUrl: string,
  startAgain: () => Promise<void>,
): Promise<void> {
  await startAgain();
  const status = `${publicUrl}/user/${was.name}/api/status`;
  const credentials: Record<string, string>[] = [
    { authorization: `token ${was.token}` },
    { cookie: was.cookie },
  ];
  for (const headers of credentials) {
    const response = await fetch(status, { headers, redirect: 'manual' });
    expect(response.status, JSON.stringify(Object.keys(headers))).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/hub/login?next=${encodeURIComponent(`/user/${was.name}/api/status`)}`,
    );
  }
}

describe('removing a user, each way, on a hub made by the test fixture', () => {
  const CAROL = 'chrm_carol';
  const DAN = 'chrm_dan';
  const ERIN = 'chrm_erin';
  const FRAN = 'chrm_fran';
  const ADMIN = 'chrm_admin';
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ users: [CAROL, DAN, ERIN, FRAN], admins: [ADMIN] });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  /** Starts `name`'s server and has the proxy check (and cache) both of their credentials. */
  async function running(name: string): Promise<Belongings> {
    const session = await hub.session(name);
    const token = await hub.token(name);
    const started = await fetch(`${hub.hubUrl}/hub/api/users/${name}/server`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
    });
    expect(started.status).toBe(201);
    const server = hub.services.servers
      .readyServers()
      .find((s) => s.userName === name)!
      .spawner.current()!;
    const status = `${hub.proxy.publicUrl}/user/${name}/api/status`;
    expect((await fetch(status, { headers: { cookie: session.cookie } })).status).toBe(200);
    expect((await fetch(status, { headers: { authorization: `token ${token}` } })).status).toBe(200);
    return { name, token, cookie: session.cookie, serverUrl: server.url };
  }

  async function expectRemoved(was: Belongings): Promise<void> {
    await expectNothingLeft(was, hub.proxy.publicUrl, `${hub.hubUrl}/hub/api`);
    expect(hub.proxy.routes.get(`/user/${was.name}`)).toBeUndefined();
    expect((await hub.services.stores.servers.all()).filter((s) => s.userName === was.name)).toEqual([]);
    expect(await hub.services.users.get(was.name)).toBeUndefined();
    expect(await hub.services.tokens.list(was.name)).toEqual([]);
    await expectNothingInherited(was, hub.proxy.publicUrl, async () => {
      await hub.services.users.create({ name: was.name });
      const started = await fetch(`${hub.hubUrl}/hub/api/users/${was.name}/server`, {
        method: 'POST',
        headers: { authorization: `token ${await hub.token(ADMIN)}` },
      });
      expect(started.status).toBe(201);
    });
  }

  it('REST API: DELETE /hub/api/users/NAME', async () => {
    const carol = await running(CAROL);
    const deleted = await fetch(`${hub.hubUrl}/hub/api/users/${CAROL}`, {
      method: 'DELETE',
      headers: { authorization: `token ${await hub.token(ADMIN)}` },
    });
    expect(deleted.status).toBe(204);
    expect(hub.services.servers.status(CAROL)).toBeUndefined();
    await expectRemoved(carol);
  });

  it('the admin console: Delete, then "Yes, delete"', async () => {
    const dan = await running(DAN);
    const admin = await hub.session(ADMIN);
    const deleted = await fetch(`${hub.hubUrl}/hub/admin/users/delete`, {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _xsrf: admin.csrf, name: DAN, confirm: 'yes' }).toString(),
      redirect: 'manual',
    });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe(`/hub/admin?flash=deleted&subject=${DAN}`);
    expect(hub.services.servers.status(DAN)).toBeUndefined();
    await expectRemoved(dan);
  });

  it('the admin console: roster import with "Remove roster users missing"', async () => {
    const others = Array.from({ length: 9 }, (_, i) => `chrm_c${i}`);
    await hub.services.stores.users.update(FRAN, { roster: 'students' });
    for (const name of others)
      await hub.services.stores.users.insert({ name, admin: false, roster: 'students' });
    const fran = await running(FRAN);
    const admin = await hub.session(ADMIN);
    const form = new FormData();
    form.set('_xsrf', admin.csrf);
    form.set('prune', '1');
    form.set('students', new Blob([roster(others)]), 'students.csv');
    const imported = await fetch(`${hub.hubUrl}/hub/admin/import`, {
      method: 'POST',
      headers: { cookie: admin.cookie },
      body: form,
      redirect: 'manual',
    });
    expect(imported.status).toBe(303);
    const flash = new URL(imported.headers.get('location')!, hub.hubUrl).searchParams.get('subject');
    expect(flash).toContain(`removed: ${FRAN}`);
    await expectRemoved(fran);
  });

  it('`coursehub users import --prune`, run beside the hub', async () => {
    // Erin came from students.csv; the new file lists everyone else (1 of 10 goes: no --yes).
    const others = Array.from({ length: 9 }, (_, i) => `chrm_s${i}`);
    await hub.services.stores.users.update(ERIN, { roster: 'students' });
    for (const name of others)
      await hub.services.stores.users.insert({ name, admin: false, roster: 'students' });
    const erin = await running(ERIN);
    const files = mkdtempSync(join(tmpdir(), 'coursehub-prune-'));
    try {
      const students = join(files, 'students.csv');
      // Everyone of students.csv but Erin (the console's test left its own there too).
      const listed = (await hub.services.stores.users.all())
        .filter((user) => user.roster === 'students' && user.name !== ERIN)
        .map((user) => user.name);
      writeFileSync(students, roster(listed));
      const config = join(files, 'coursehub.json');
      const { config: hubConfig } = hub.services;
      writeFileSync(
        config,
        JSON.stringify({
          hub: { dataDir: hubConfig.hub.dataDir },
          proxy: { apiPort: hubConfig.proxy.apiPort },
          spawner: { local: { homeRoot: hubConfig.spawner.local.homeRoot } },
          log: { level: 'silent' },
        }),
      );
      const printed: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
      try {
        const program = new Command().exitOverride();
        registerUsersCommand(program);
        await program.parseAsync([
          'node',
          'coursehub',
          'users',
          'import',
          '--students',
          students,
          '--prune',
          '--config',
          config,
        ]);
      } finally {
        vi.restoreAllMocks();
      }
      expect(printed).toContain(`removed: 1 (${ERIN})`);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
    await expectRemoved(erin);
  });
});

describe('removing a user by the roster prune at start', () => {
  const STUDENTS = Array.from({ length: 10 }, (_, i) => `chrs_s${i}`);
  const LEAVER = STUDENTS[0]!;
  let root: string;
  let running: RunningHub | undefined;
  const egressTable = testEgressTable('prune');

  beforeAll(() => {
    for (const name of STUDENTS) removeUnixAccount(name);
    root = mkdtempSync(join(tmpdir(), 'coursehub-start-prune-'));
    // The users' homes are under it: each user must be able to pass through.
    chmodSync(root, 0o755);
  });
  afterAll(async () => {
    // Whatever a failed run left: no server of a test user outlives the test.
    for (const name of STUDENTS) await running?.services.servers.stopAllOf(name).catch(() => undefined);
    await running?.stop();
    await stopProxy(join(root, 'data'));
    for (const name of STUDENTS) removeUnixAccount(name);
    removeEgressTable(egressTable);
    rmSync(root, { recursive: true, force: true });
  });

  it('stops the server a previous hub left running, revokes at the proxy, removes route and rows', async () => {
    const students = join(root, 'students.csv');
    writeFileSync(students, HEADER + STUDENTS.map((n) => `${n},${n},X,\n`).join(''));
    mkdirSync(join(root, 'homes'), { mode: 0o755 });
    const port = await freePort();
    const configFile = join(root, 'coursehub.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        hub: { dataDir: join(root, 'data'), port, hubPort: await freePort() },
        proxy: { apiPort: await freePort() },
        spawner: { local: { homeRoot: join(root, 'homes') }, network: { table: egressTable } },
        users: { students, prune: true },
        log: { level: 'silent' },
      }),
    );
    const publicUrl = `http://127.0.0.1:${port}`;
    running = await startHub({ configFile, env: {}, print: () => {} });
    const { services } = running;
    const session = await services.sessions.create(LEAVER);
    const { token } = await services.tokens.create({ user: LEAVER });
    const started = await fetch(`${publicUrl}/hub/api/users/${LEAVER}/server`, {
      method: 'POST',
      headers: { authorization: `token ${token}` },
    });
    expect(started.status).toBe(201);
    const serverUrl = services.servers
      .readyServers()
      .find((s) => s.userName === LEAVER)!
      .spawner.current()!.url;
    const cookie = `${SESSION_COOKIE_NAME}=${session.cookieValue}`;
    const status = `${publicUrl}/user/${LEAVER}/api/status`;
    expect((await fetch(status, { headers: { authorization: `token ${token}` } })).status).toBe(200);
    expect((await fetch(status, { headers: { cookie } })).status).toBe(200);
    // The hub stops; the server and the proxy keep running (as they are meant to).
    await running.stop();
    running = undefined;
    expect((await fetch(status, { headers: { authorization: `token ${token}` } })).status).toBe(200);

    // The student leaves the roster (1 of 10: no confirmation needed), and the hub starts again.
    writeFileSync(
      students,
      HEADER +
        STUDENTS.slice(1)
          .map((n) => `${n},${n},X,\n`)
          .join(''),
    );
    running = await startHub({ configFile, env: {}, print: () => {} });
    await expectNothingLeft({ name: LEAVER, token, cookie, serverUrl }, publicUrl, `${publicUrl}/hub/api`);
    expect(await running.services.users.get(LEAVER)).toBeUndefined();
    expect(await running.services.stores.servers.all()).toEqual([]);
    expect(Object.keys(await running.services.proxy.getRoutes()).filter((r) => r.includes(LEAVER))).toEqual(
      [],
    );
    const again = running;
    await expectNothingInherited({ name: LEAVER, token, cookie, serverUrl }, publicUrl, async () => {
      await again.services.users.create({ name: LEAVER });
      // The first admin coursehub made at the first start (auth.local.adminUser).
      const { token: adminToken } = await again.services.tokens.create({ user: 'admin' });
      const restarted = await fetch(`${publicUrl}/hub/api/users/${LEAVER}/server`, {
        method: 'POST',
        headers: { authorization: `token ${adminToken}` },
      });
      expect(restarted.status).toBe(201);
    });
    // The new user's server would outlive the hub's stop (as servers do): stop it here.
    await (
      await running.services.servers.stop(LEAVER)
    ).done;
  }, 120_000);
});
