/**
 * The secret that signs cookies. As in JupyterHub: taken from the config (or env) when given,
 * otherwise generated on first start into DATA_DIR/cookie_secret with mode 600 and re-read on
 * later starts, so sessions survive restarts. A secret file others can read is refused: anyone who
 * reads it can forge a login.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';

export const COOKIE_SECRET_FILE = 'cookie_secret';

export function ensureCookieSecret(dataDir: string, given?: string): string {
  if (given !== undefined && given !== '') return checkSecret(given.trim(), 'hub.cookieSecret');
  const file = join(dataDir, COOKIE_SECRET_FILE);
  let mode: number | undefined;
  try {
    mode = statSync(file).mode;
  } catch {
    mode = undefined; // no secret file yet: one is made just below
  }
  if (mode === undefined) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(32).toString('hex');
    // 'wx' fails if another process created it meanwhile; mode applies at creation only.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return secret;
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(
      `The cookie secret file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}).`,
      {
        hint: `Run \`chmod 600 ${file}\` (or delete it to have a new one made; everyone will be logged out).`,
      },
    );
  }
  return checkSecret(readFileSync(file, 'utf8').trim(), file);
}

function checkSecret(secret: string, where: string): string {
  if (!/^[0-9a-fA-F]{32,}$/.test(secret)) {
    throw new ConfigError(`The cookie secret in ${where} must be at least 32 hexadecimal characters.`, {
      hint: 'Make one with `openssl rand -hex 32`, or remove it to have one generated.',
    });
  }
  return secret.toLowerCase();
}
