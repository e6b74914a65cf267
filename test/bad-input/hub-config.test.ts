// Bad hub configuration and data directories (issue 17, item 3): each is refused before anything
// is written, with a message that names the key (or option) and says what it may be, and no
// folder or database appears on disk.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub } from '../../src/app/start.js';
import { registerDbCommand } from '../../src/cli/db.js';
import { registerTokenCommand } from '../../src/cli/token.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { CoursehubError } from '../../src/util/errors.js';
import { freePort } from '../support/postgres.js';
import { removeEgressTable, testEgressTable } from '../support/egress-table.js';

const scratch = mkdtempSync(join(tmpdir(), 'coursehub-bad-config-'));
const egressTable = testEgressTable('config');
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  removeEgressTable(egressTable);
});

let counter = 0;
/**
 * A config file in a folder of its own, on free ports (so that a start the code wrongly lets
 * through cannot meet another test's hub); returns the file and the data dir it names (not made).
 */
async function configWith(sections: Record<string, Record<string, unknown>>) {
  const folder = join(scratch, `case${counter++}`);
  mkdirSync(folder);
  const dataDir = join(folder, 'data');
  const config = {
    log: { level: 'silent' },
    ...sections,
    hub: { dataDir, port: await freePort(), hubPort: await freePort(), ...sections.hub },
    proxy: { apiPort: await freePort(), ...sections.proxy },
    // A start the code lets through writes its egress rules here, removed after the file.
    spawner: { network: { table: egressTable }, ...sections.spawner },
  };
  const file = join(folder, 'coursehub.json');
  writeFileSync(file, JSON.stringify(config));
  return { file, folder, dataDir };
}

/** startHub with that config must fail with ConfigError, and the folder holds only the config file. */
async function refusedAtStart(sections: Record<string, Record<string, unknown>>, message: RegExp) {
  const { file, folder } = await configWith(sections);
  const cwdBefore = readdirSync(process.cwd()).sort();
  const error = await startHub({ configFile: file, env: {}, print: () => {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(message);
  expect(readdirSync(folder)).toEqual(['coursehub.json']);
  expect(readdirSync(process.cwd()).sort()).toEqual(cwdBefore);
  return error as ConfigError;
}

describe('db.url', () => {
  it.each(['mysql://hub:secret@db.example/hub', 'mariadb://db/hub', 'sqlserver://db/hub', 'mysql:hub.db'])(
    '%s is refused, naming the key and the supported forms',
    async (url) => {
      const error = await refusedAtStart(
        { db: { url } },
        /db\.url: .*is not a database coursehub can use; use postgresql:\/\/ \(or postgres:\/\/\), sqlite:\/\/\/PATH or a file path/,
      );
      // The password in the URL is not repeated.
      expect(error.message).not.toContain('secret');
    },
  );

  it.each([
    'postgresql://u:p@h/db',
    'postgres://h/db',
    'sqlite:///srv/hub.sqlite',
    '/srv/hub.sqlite',
    'hub.sqlite',
  ])('%s is accepted', (url) => {
    expect(loadConfig({ env: {}, overrides: { 'db.url': url } }).config.db.url).toBe(url);
  });
});

describe('ports', () => {
  it('hub.hubPort equal to hub.port is refused before the proxy starts', async () => {
    const port = await freePort();
    await refusedAtStart(
      { hub: { port, hubPort: port }, proxy: { apiPort: await freePort() } },
      new RegExp(`hub\\.hubPort: .*${port} is also hub\\.port`),
    );
    // Nothing listens there: neither the proxy nor the hub started.
    await expect(fetch(`http://127.0.0.1:${port}/hub/health`)).rejects.toThrow();
  });

  it('proxy.apiPort equal to hub.port or hub.hubPort is refused', async () => {
    const port = await freePort();
    await refusedAtStart(
      { hub: { port, hubPort: await freePort() }, proxy: { apiPort: port } },
      new RegExp(`proxy\\.apiPort: .*${port} is also hub\\.port`),
    );
    const hubPort = await freePort();
    await refusedAtStart(
      { hub: { port: await freePort(), hubPort }, proxy: { apiPort: hubPort } },
      new RegExp(`proxy\\.apiPort: .*${hubPort} is also hub\\.hubPort`),
    );
  });
});

describe('addresses', () => {
  it.each([
    ['hub', 'ip', 'not-an-address'],
    ['hub', 'ip', '300.1.1.1'],
    ['hub', 'ip', 'http://127.0.0.1'],
    ['proxy', 'apiIp', '127.0.0.1:8001'],
  ])('%s.%s %j is refused naming the key (not the authenticator)', async (section, key, value) => {
    const error = await refusedAtStart(
      { [section]: { [key]: value }, auth: { authenticator: 'dummy' } },
      new RegExp(`${section}\\.${key}: .*is not an IP address`),
    );
    expect(error.message).not.toMatch(/dummy/);
  });

  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', '10.1.2.3'])('hub.ip %s is accepted', (ip) => {
    expect(loadConfig({ env: {}, overrides: { 'hub.ip': ip } }).config.hub.ip).toBe(ip);
  });
});

describe('a hub that cannot listen', () => {
  it('stops the proxy it started, and says which port is taken', async () => {
    const hubPort = await freePort();
    const port = await freePort();
    const apiPort = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((done) => squatter.listen(hubPort, '127.0.0.1', done));
    const { file, dataDir } = await configWith({
      hub: { port, hubPort },
      proxy: { apiPort },
      log: { level: 'silent' },
    });
    try {
      const error = await startHub({ configFile: file, env: {}, print: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoursehubError);
      expect((error as Error).message).toMatch(
        new RegExp(`hub\\.hubPort ${hubPort} on 127\\.0\\.0\\.1 is taken by another program`),
      );
      // The proxy this start launched is gone: neither its public port nor its API answers.
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${apiPort}/api/routes`)).rejects.toThrow();
      expect(existsSync(join(dataDir, 'proxy.pid'))).toBe(false);
    } finally {
      squatter.close();
      // Before the fix the proxy outlived the failed start: end it here rather than leave it.
      const { stopProxy } = await import('../../src/hub/proxy/lifecycle.js');
      await stopProxy(dataDir);
    }
  }, 60_000);
});

describe('a --data-dir that does not exist', () => {
  /** Runs `coursehub ARGS` in this process (the command modules the CLI registers). */
  async function coursehub(...args: string[]): Promise<unknown> {
    const program = new Command().exitOverride();
    registerTokenCommand(program);
    registerDbCommand(program);
    return program.parseAsync(['node', 'coursehub', ...args]).catch((e: unknown) => e);
  }

  it.each([
    ['token', 'create', 'alice'],
    ['db', 'upgrade'],
  ])('`coursehub %s %s` refuses it and creates nothing', async (...command) => {
    const missing = join(scratch, `missing${counter++}`, 'data');
    const error = await coursehub(...command, '--data-dir', missing);
    expect(error).toBeInstanceOf(CoursehubError);
    expect((error as Error).message).toContain(`The data directory ${missing} does not exist`);
    expect((error as CoursehubError).hint).toMatch(/coursehub start|users import/);
    expect(existsSync(join(missing, '..'))).toBe(false);
  });
});
