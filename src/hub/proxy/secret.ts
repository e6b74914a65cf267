/**
 * The secret shared by the hub and the proxy: the proxy's API demands it, and the hub's authorize
 * endpoint demands it from the proxy. Taken from the environment when set (COURSEHUB_PROXY_SECRET,
 * or CONFIGPROXY_AUTH_TOKEN as JupyterHub and configurable-http-proxy name it), otherwise
 * generated once into DATA_DIR/proxy_secret (mode 600), so a restarted hub still speaks to the
 * proxy it left running. Never passed on a command line, where `ps` would show it.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ProxyStartError } from './errors.js';

export const PROXY_SECRET_FILE = 'proxy_secret';
export const PROXY_SECRET_ENV = 'COURSEHUB_PROXY_SECRET';

export function proxySecretFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[PROXY_SECRET_ENV] || env.CONFIGPROXY_AUTH_TOKEN;
  return value ? value.trim() : undefined;
}

/**
 * The secret from the environment or DATA_DIR/proxy_secret; undefined when there is none yet.
 * The file is used only when it is a regular file (a symbolic link is not followed: it could
 * lead to a file someone else controls), owned by this account, and not readable by others.
 */
export function readProxySecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = proxySecretFromEnv(env);
  if (fromEnv) return fromEnv;
  const file = join(dataDir, PROXY_SECRET_FILE);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notRegular(file);
    throw new ProxyStartError(`The proxy secret file ${file} cannot be read (${code}).`, {
      hint: 'Run the hub and the proxy as the account that owns the data directory.',
      cause: error,
    });
  }
  try {
    const { mode, uid } = fstatSync(fd);
    if ((mode & constants.S_IFMT) !== constants.S_IFREG) throw notRegular(file);
    const me = process.getuid?.();
    if (me !== undefined && uid !== me) {
      throw new ProxyStartError(
        `The proxy secret file ${file} belongs to uid ${uid}, not to this account (uid ${me}).`,
        {
          hint: `Its owner could change the secret: run \`chown ${me} ${file}\`, or delete it to have a new one made.`,
        },
      );
    }
    if ((mode & 0o077) !== 0) {
      throw new ProxyStartError(`The proxy secret file ${file} can be read by other users.`, {
        hint: `Run \`chmod 600 ${file}\`; anyone who reads it can rewrite the proxy's routes.`,
      });
    }
    const secret = readFileSync(fd, 'utf8').trim();
    if (secret.length < 16) {
      throw new ProxyStartError(`The proxy secret in ${file} is too short.`, {
        hint: 'Delete the file to have a new one made (then restart the hub and the proxy).',
      });
    }
    return secret;
  } finally {
    closeSync(fd);
  }
}

function notRegular(file: string): ProxyStartError {
  return new ProxyStartError(
    `The proxy secret file ${file} is not a regular file (a symbolic link, a folder, ...).`,
    { hint: `Remove it (\`rm ${file}\`) to have a new secret made, then restart the hub and the proxy.` },
  );
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
