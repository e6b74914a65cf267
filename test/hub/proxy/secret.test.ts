// The proxy secret file (DATA_DIR/proxy_secret): whoever reads it can rewrite the proxy's routes,
// so the hub and the proxy use it only when it is a regular file of their own account that
// nobody else may read, holding a secret of some length; each refusal names the file and the fix.
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProxyStartError } from '../../../src/hub/proxy/errors.js';
import { ensureProxySecret, PROXY_SECRET_FILE, readProxySecret } from '../../../src/hub/proxy/secret.js';

const GOOD = 'a'.repeat(64);
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-proxy-secret-'));
  file = join(dir, PROXY_SECRET_FILE);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string, mode = 0o600): void {
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
}

/** The refusal, as a ProxyStartError with its message and hint. */
function refusal(read: () => unknown): { message: string; hint: string | undefined } {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyStartError);
    return { message: (error as ProxyStartError).message, hint: (error as ProxyStartError).hint };
  }
  throw new Error('the secret file was accepted');
}

describe('reading DATA_DIR/proxy_secret', () => {
  it('reads a good one (mode 600, own account), trimmed', () => {
    write(`${GOOD}\n`);
    expect(readProxySecret(dir, {})).toBe(GOOD);
  });

  it('is undefined when there is none yet', () => {
    expect(readProxySecret(dir, {})).toBeUndefined();
  });

  it('prefers COURSEHUB_PROXY_SECRET, then CONFIGPROXY_AUTH_TOKEN, and does not look at the file then', () => {
    write('short', 0o644);
    expect(readProxySecret(dir, { COURSEHUB_PROXY_SECRET: 'from-env', CONFIGPROXY_AUTH_TOKEN: 'x' })).toBe(
      'from-env',
    );
    expect(readProxySecret(dir, { CONFIGPROXY_AUTH_TOKEN: 'from-chp-env' })).toBe('from-chp-env');
  });

  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    it(`refuses mode ${mode.toString(8)} (others may read it)`, () => {
      write(GOOD, mode);
      const { message, hint } = refusal(() => readProxySecret(dir, {}));
      expect(message).toBe(`The proxy secret file ${file} can be read by other users.`);
      expect(hint).toContain(`chmod 600 ${file}`);
    });
  }

  for (const [what, text] of [
    ['empty', ''],
    ['blank', ' \n\n'],
    ['short', 'abc123'],
  ] as const) {
    it(`refuses a secret that is ${what}`, () => {
      write(text);
      const { message, hint } = refusal(() => readProxySecret(dir, {}));
      expect(message).toBe(`The proxy secret in ${file} is too short.`);
      expect(hint).toContain('Delete the file');
    });
  }

  it('refuses a symbolic link, even to a good secret file', () => {
    const elsewhere = join(dir, 'elsewhere');
    writeFileSync(elsewhere, GOOD, { mode: 0o600 });
    symlinkSync(elsewhere, file);
    const { message, hint } = refusal(() => readProxySecret(dir, {}));
    expect(message).toBe(
      `The proxy secret file ${file} is not a regular file (a symbolic link, a folder, ...).`,
    );
    expect(hint).toContain(`rm ${file}`);
  });

  it('refuses a folder in its place', () => {
    mkdirSync(file);
    const { message } = refusal(() => readProxySecret(dir, {}));
    expect(message).toBe(
      `The proxy secret file ${file} is not a regular file (a symbolic link, a folder, ...).`,
    );
  });

  it.runIf(process.getuid?.() === 0)(
    'refuses a file another account owns (it could change the secret)',
    () => {
      write(GOOD);
      chownSync(file, 65534, 65534);
      const { message, hint } = refusal(() => readProxySecret(dir, {}));
      expect(message).toBe(
        `The proxy secret file ${file} belongs to uid 65534, not to this account (uid 0).`,
      );
      expect(hint).toContain(`chown`);
    },
  );
});

describe('making DATA_DIR/proxy_secret', () => {
  it('makes one with mode 600, and reads the same one after', () => {
    const made = ensureProxySecret(dir, {});
    expect(made).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ensureProxySecret(dir, {})).toBe(made);
  });

  it('does not write through a symbolic link left in its place, and refuses it', () => {
    const target = join(dir, 'target');
    symlinkSync(target, file);
    const { message } = refusal(() => ensureProxySecret(dir, {}));
    expect(message).toContain('is not a regular file');
    expect(() => statSync(target)).toThrow(/ENOENT/);
  });
});
