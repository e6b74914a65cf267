/**
 * The secret shared by the hub and the proxy: the proxy's API demands it, and the hub's authorize
 * endpoint demands it from the proxy. Taken from the environment when set (COURSEHUB_PROXY_SECRET,
 * or CONFIGPROXY_AUTH_TOKEN as JupyterHub and configurable-http-proxy name it), otherwise
 * generated once into DATA_DIR/proxy_secret (mode 600), so a restarted hub still speaks to the
 * proxy it left running. Never passed on a command line, where `ps` would show it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProxyStartError } from './errors.js';

export const PROXY_SECRET_FILE = 'proxy_secret';
export const PROXY_SECRET_ENV = 'COURSEHUB_PROXY_SECRET';

export function proxySecretFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[PROXY_SECRET_ENV] || env.CONFIGPROXY_AUTH_TOKEN;
  return value ? value.trim() : undefined;
}

/** The secret from the environment or DATA_DIR/proxy_secret; undefined when there is none yet. */
export function readProxySecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = proxySecretFromEnv(env);
  if (fromEnv) return fromEnv;
  const file = join(dataDir, PROXY_SECRET_FILE);
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) !== 0) {
    throw new ProxyStartError(`The proxy secret file ${file} can be read by other users.`, {
      hint: `Run \`chmod 600 ${file}\`; anyone who reads it can rewrite the proxy's routes.`,
    });
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16) {
    throw new ProxyStartError(`The proxy secret in ${file} is too short.`, {
      hint: 'Delete the file to have a new one made (then restart the hub and the proxy).',
    });
  }
  return secret;
}

/** The secret, made on first use (only the start paths call this: ensureProxy, `coursehub proxy`). */
export function ensureProxySecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const existing = readProxySecret(dataDir, env);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, PROXY_SECRET_FILE);
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (error) {
    // 'wx' fails when another process made it meanwhile: use theirs. Anything else is real.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const made = readProxySecret(dataDir, env);
  if (!made) throw new ProxyStartError(`Could not create the proxy secret in ${file}.`);
  return made;
}
