/**
 * Environment variables that set configuration keys. Two kinds:
 * - the seed deployment's names (GITHUB_CLIENT_ID, POSTGRES_DB, DOCKER_NOTEBOOK_IMAGE, ...), which
 *   keep working so an existing .env file can be reused (any for what this version does not do
 *   yet would be reported as unused rather than silently dropped);
 * - `COURSEHUB_<PATH>` for every other key, derived from the schema: the dotted path with each
 *   camelCase segment in UPPER_SNAKE, joined by `_` (hub.dataDir -> COURSEHUB_HUB_DATA_DIR).
 * Environment variables override the config file.
 */
import type { ConfigLeaf } from './schema-walk.js';

type Env = Record<string, string | undefined>;

/** The seed's environment variables and the keys they set. */
export const SEED_ENV_VARS: Record<string, string> = {
  GITHUB_CLIENT_ID: 'auth.github.clientId',
  GITHUB_CLIENT_SECRET: 'auth.github.clientSecret',
  OAUTH_CALLBACK_URL: 'auth.github.callbackUrl',
  DATABASE_URL: 'db.url',
  // JupyterHub's name for the cookie secret, and the auth area's name for the first admin's password.
  JPY_COOKIE_SECRET: 'hub.cookieSecret',
  COURSEHUB_ADMIN_PASSWORD: 'auth.local.adminPassword',
  // The seed's one course: its id and its nbgrader course directory.
  COURSE_NAME: 'course.name',
  COURSE_HOME: 'course.home',
  // The seed's TLS pair (its jupyterhub_config.py read these for ssl_cert / ssl_key).
  SSL_CERT: 'https.certFile',
  SSL_KEY: 'https.keyFile',
  // The seed's Docker deployment: the user servers' image, network and home in the container.
  DOCKER_NOTEBOOK_IMAGE: 'spawner.docker.image',
  DOCKER_NETWORK_NAME: 'spawner.docker.network',
  DOCKER_NOTEBOOK_DIR: 'spawner.docker.notebookDir',
};

/**
 * The seed's variables for what this version does not do yet, and what they were for: reported
 * at start (none left since the Docker spawner).
 */
export const UNUSED_SEED_ENV_VARS: Record<string, string> = {};

/** COURSEHUB_* variables that are not config keys: the config file's own path. */
const NOT_CONFIG_KEYS = new Set(['COURSEHUB_CONFIG']);

/** POSTGRES_* (the seed's docker-compose names) that together make db.url. */
const POSTGRES_PARTS = [
  'POSTGRES_DB',
  'POSTGRES_PASSWORD',
  'POSTGRES_HOST',
  'POSTGRES_USER',
  'POSTGRES_PORT',
];

export function envNameForPath(path: string): string {
  return `COURSEHUB_${path
    .split('.')
    .map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}

export interface EnvValue {
  path: string;
  /** Raw string from the environment; the loader converts it by the key's kind. */
  raw: string;
  /** Which variable(s) it came from, for messages. */
  source: string;
}

export interface EnvReading {
  values: EnvValue[];
  /** COURSEHUB_* variables that name no key: probably typos, reported as warnings. */
  unknown: string[];
  /** Seed variables that are set but not used by this version (UNUSED_SEED_ENV_VARS). */
  unused: string[];
}

export function readEnv(env: Env, leaves: ConfigLeaf[]): EnvReading {
  const byEnvName = new Map(leaves.map((leaf) => [envNameForPath(leaf.path), leaf.path]));
  const values: EnvValue[] = [];
  const unknown: string[] = [];
  const known = new Set(leaves.map((leaf) => leaf.path));

  for (const [name, path] of Object.entries(SEED_ENV_VARS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '' && known.has(path)) values.push({ path, raw, source: name });
  }
  const unused = Object.keys(UNUSED_SEED_ENV_VARS).filter(
    (name) => env[name] !== undefined && env[name] !== '',
  );
  const postgresUrl = postgresUrlFromEnv(env);
  if (postgresUrl && !env.DATABASE_URL)
    values.push({ path: 'db.url', raw: postgresUrl, source: 'POSTGRES_*' });

  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('COURSEHUB_') || raw === undefined || name in SEED_ENV_VARS) continue;
    if (NOT_CONFIG_KEYS.has(name)) continue;
    const path = byEnvName.get(name);
    if (path) values.push({ path, raw, source: name });
    else if (!name.startsWith('COURSEHUB_TEST_')) unknown.push(name);
  }
  return { values, unknown, unused };
}

/**
 * postgresql://USER:PASSWORD@HOST:PORT/DB from the seed's POSTGRES_* variables, when POSTGRES_DB or
 * POSTGRES_PASSWORD is set. Defaults follow the official postgres image: user and database
 * `postgres`, host `localhost`, port 5432.
 */
export function postgresUrlFromEnv(env: Env): string | undefined {
  if (!env.POSTGRES_DB && !env.POSTGRES_PASSWORD) return undefined;
  const user = encodeURIComponent(env.POSTGRES_USER || 'postgres');
  const password = env.POSTGRES_PASSWORD ? `:${encodeURIComponent(env.POSTGRES_PASSWORD)}` : '';
  const host = env.POSTGRES_HOST || 'localhost';
  const port = env.POSTGRES_PORT || '5432';
  const db = encodeURIComponent(env.POSTGRES_DB || 'postgres');
  return `postgresql://${user}${password}@${host}:${port}/${db}`;
}

export const POSTGRES_ENV_VARS = POSTGRES_PARTS;
export const CONFIG_FILE_ENV_VAR = 'COURSEHUB_CONFIG';
