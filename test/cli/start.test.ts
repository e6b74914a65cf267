import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub } from '../../src/app/start.js';
import { ConfigError } from '../../src/config/errors.js';
import { startRealHub, type RealHub } from '../support/hub.js';
import { createTestDatabase, freePort } from '../support/postgres.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'coursehub-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('startHub (in process)', () => {
  let hub: RealHub;
  beforeAll(async () => {
    hub = await startRealHub({ demo: true });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('serves GET /hub/health with a request id header', async () => {
    const response = await fetch(`${hub.url}hub/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('keeps the SQLite database readable by the hub only', () => {
    expect(statSync(join(hub.dataDir, 'coursehub.sqlite')).mode & 0o777).toBe(0o600);
  });

  it('creates the cookie secret with mode 600 and uses it', () => {
    const file = join(hub.dataDir, 'cookie_secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(hub.hub.config.hub.cookieSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('seeds the demo users, picks the dummy authenticator and says how to log in', async () => {
    const { users } = hub.hub.services;
    const { users: listed } = await users.list();
    expect(listed.map((u) => [u.name, u.admin])).toEqual([
      ['instructor', true],
      ['student1', false],
      ['student2', false],
      ['student3', false],
    ]);
    expect(hub.hub.config.auth.authenticator).toBe('dummy');
    const students = await hub.hub.database.db
      .selectFrom('gradebook_student')
      .innerJoin('gradebook_course', 'gradebook_course.id', 'gradebook_student.course_id')
      .select(['gradebook_course.name as course', 'gradebook_student.student_id as id'])
      .orderBy('gradebook_student.student_id')
      .execute();
    expect(students).toEqual([
      { course: 'demo101', id: 'student1' },
      { course: 'demo101', id: 'student2' },
      { course: 'demo101', id: 'student3' },
    ]);
    expect(hub.printed.join('\n')).toMatch(/log in as "instructor".*any password/);
  });
});

describe('startHub refuses a bad start', () => {
  it('stops on an unknown config key, naming it, before listening', async () => {
    const configFile = join(scratch, 'typo.yaml');
    const port = await freePort();
    writeFileSync(
      configFile,
      `hub:\n  port: ${port}\n  dataDir: ${join(scratch, 'typo-data')}\n  ipp: 1.2.3.4\n`,
    );
    const error = await startHub({ configFile, env: {}, print: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('unknown key hub.ipp (did you mean hub.ip?)');
    await expect(fetch(`http://127.0.0.1:${port}/hub/health`)).rejects.toThrow();
  });

  it('stops when GitHub login is chosen without its secret, naming the key and its variable', async () => {
    const error = await startRealHub({
      config: { auth: { authenticator: 'github' } },
      env: { GITHUB_CLIENT_ID: 'abc', OAUTH_CALLBACK_URL: 'http://127.0.0.1:1/hub/oauth_callback' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/auth\.github\.clientSecret/);
    expect((error as Error).message).toMatch(/GITHUB_CLIENT_SECRET/);
  });

  it('refuses --demo (the dummy authenticator) on a non-loopback address', async () => {
    const error = await startRealHub({ demo: true, config: { hub: { ip: '0.0.0.0' } } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/dummy authenticator/);
  });
});

describe('startHub on PostgreSQL', () => {
  it('migrates and serves with db.url pointing at PostgreSQL', async () => {
    const hub = await startRealHub({ dbUrl: await createTestDatabase(), demo: true });
    try {
      expect(hub.hub.database.dialect).toBe('postgres');
      const response = await fetch(`${hub.url}hub/health`);
      expect(response.status).toBe(200);
      expect(await hub.hub.services.users.count()).toBe(4);
    } finally {
      await hub.stop();
    }
  });
});

describe('coursehub start (child process)', () => {
  function runCli(args: string[], env: Record<string, string> = {}) {
    const child = spawn(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args],
      {
        cwd: scratch,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  it('logs JSON with request ids, serves health, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(scratch, 'cli-data');
    // Ports of its own for the hub behind the proxy and the proxy's API (tests run side by side).
    // The detached proxy leaves when its data directory is removed (afterAll).
    // The user servers' egress rules in a table of its own, removed after.
    const egressTable = `chtest_cli_${process.pid}`;
    const cli = runCli(['start', '--port', String(port), '--ip', '127.0.0.1', '--data-dir', dataDir], {
      COURSEHUB_HUB_HUB_PORT: String(await freePort()),
      COURSEHUB_PROXY_API_PORT: String(await freePort()),
      COURSEHUB_SPAWNER_NETWORK_TABLE: egressTable,
    });
    try {
      let status = 0;
      // Compiling the whole CLI with tsx takes a while on a busy machine.
      for (let i = 0; i < 150 && status !== 200; i++) {
        status = await fetch(`http://127.0.0.1:${port}/hub/health`).then(
          (r) => r.status,
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 500));
      }
      expect(status).toBe(200);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      const lines = cli
        .output()
        .stdout.trim()
        .split('\n')
        // Other lines are for the person at the terminal (the first admin's generated password).
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const healthLog = lines.find((l) => (l.req as { url?: string } | undefined)?.url === '/hub/health');
      expect(healthLog?.reqId).toBeTruthy();
      expect(lines.some((l) => l.msg === 'coursehub is stopping')).toBe(true);
      expect(cli.output().stderr).toContain(`coursehub is running at http://127.0.0.1:${port}/`);
      expect(statSync(join(dataDir, 'coursehub.sqlite')).isFile()).toBe(true);
    } finally {
      cli.child.kill('SIGKILL');
      spawnSync('nft', ['delete', 'table', 'inet', egressTable], {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
    }
  }, 120_000);

  it('exits 1 naming the key when the config is invalid', async () => {
    const configFile = join(scratch, 'bad.json');
    writeFileSync(configFile, JSON.stringify({ hub: { port: 'eighty' } }));
    const cli = runCli(['start', '--config', configFile, '--data-dir', join(scratch, 'bad-data')]);
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toMatch(/hub\.port: .*expected number/);
  });
});
