// `coursehub token create` run as a real process on a real data directory (SQLite).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHubDatabase } from '../../src/app/open-database.js';
import { buildCoreServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/load.js';
import { TokenService } from '../../src/hub/tokens/index.js';
import { UserService } from '../../src/hub/users/user-service.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
let dataDir: string;

async function coursehub(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, COURSEHUB_CONFIG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withDb<T>(
  fn: (services: { users: UserService; tokens: TokenService }) => Promise<T>,
): Promise<T> {
  const { config } = loadConfig({ env: {}, overrides: { 'hub.dataDir': dataDir } });
  const opened = await openHubDatabase(config, { createDataDir: false });
  try {
    return await fn(buildCoreServices(opened.base));
  } finally {
    await opened.close();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'coursehub-token-cli-'));
  await withDb(async ({ users }) => {
    await users.create({ name: 'alice' });
  });
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('coursehub token create', () => {
  it('prints a working token on the last line, with the scopes asked for', async () => {
    const result = await coursehub(
      'token',
      'create',
      'alice',
      '--scopes',
      'read:users!user=alice',
      '--note',
      'ci job',
      '--data-dir',
      dataDir,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const token = lines[lines.length - 1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const record = await withDb(({ tokens }) => tokens.resolve(token));
    expect(record.owner.name).toBe('alice');
    expect(record.scopes).toEqual(['read:users!user=alice']);
    expect(record.note).toBe('ci job');
    expect(result.stderr).toContain('shown only now');
  });

  it('fails with a clear message for an unknown user, a scope beyond the user, or a bad expiry', async () => {
    const unknown = await coursehub('token', 'create', 'nobody', '--data-dir', dataDir);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No user named "nobody"');
    expect(unknown.stdout).toBe('');
    const beyond = await coursehub(
      'token',
      'create',
      'alice',
      '--scopes',
      'admin:users',
      '--data-dir',
      dataDir,
    );
    expect(beyond.code).not.toBe(0);
    expect(beyond.stderr).toContain('Not assigning requested scopes admin:users');
    const expiry = await coursehub('token', 'create', 'alice', '--expires-in', 'soon', '--data-dir', dataDir);
    expect(expiry.code).not.toBe(0);
    expect(expiry.stderr).toContain('--expires-in must be a positive number');
  });
});
