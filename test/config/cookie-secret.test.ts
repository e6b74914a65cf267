import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCookieSecret } from '../../src/config/cookie-secret.js';
import { ConfigError } from '../../src/config/errors.js';

const root = mkdtempSync(join(tmpdir(), 'coursehub-secret-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ensureCookieSecret', () => {
  it('generates a secret on first start into DATA_DIR/cookie_secret with mode 600, then reuses it', () => {
    const dataDir = join(root, 'first', 'data');
    const secret = ensureCookieSecret(dataDir);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const file = join(dataDir, 'cookie_secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(ensureCookieSecret(dataDir)).toBe(secret);
  });

  it('uses a given secret and writes no file', () => {
    const dataDir = join(root, 'given');
    expect(ensureCookieSecret(dataDir, 'AB'.repeat(16))).toBe('ab'.repeat(16));
    expect(() => statSync(join(dataDir, 'cookie_secret'))).toThrow();
    expect(() => ensureCookieSecret(dataDir, 'too-short')).toThrow(/at least 32 hexadecimal/);
  });

  it('refuses a secret file that group or others can read, and says how to fix it', () => {
    const dataDir = join(root, 'open');
    ensureCookieSecret(dataDir);
    const file = join(dataDir, 'cookie_secret');
    chmodSync(file, 0o644);
    let error: unknown;
    try {
      ensureCookieSecret(dataDir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('mode 644');
    expect((error as ConfigError).hint).toContain(`chmod 600 ${file}`);
  });

  it('refuses a secret file that is not hex', () => {
    const dataDir = join(root, 'garbage');
    ensureCookieSecret(dataDir);
    writeFileSync(join(dataDir, 'cookie_secret'), 'not a secret\n');
    expect(() => ensureCookieSecret(dataDir)).toThrow(/must be at least 32 hexadecimal/);
  });
});
