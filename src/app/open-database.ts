/**
 * Everything the hub needs before its services can be built: data directory, cookie secret,
 * database (opened, reachable, migrated) and the logger, as a HubBase. Shared by
 * `coursehub start` and the commands that work on the same data (`users import`, `db upgrade`).
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { ensureCookieSecret } from '../config/cookie-secret.js';
import type { CoursehubConfig } from '../config/schema.js';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from '../db/database.js';
import { CoursehubError } from '../util/errors.js';
import type { HubBase } from './services.js';

/** The data directory a command was pointed at does not exist, and that command may not make it. */
export class DataDirError extends CoursehubError {}

export interface OpenedHub {
  base: HubBase;
  database: DatabaseHandle;
  /** Closes the database. */
  close(): Promise<void>;
}

export function createLogger(
  config: CoursehubConfig,
  destination: pino.DestinationStream = pino.destination(1),
): FastifyBaseLogger {
  // JSON lines on stdout; Fastify adds `reqId` to every request's lines.
  return pino(
    {
      level: config.log.level,
      base: { name: 'coursehub', pid: process.pid },
      serializers: { req: serializeRequest },
    },
    destination,
  );
}

/** Secrets that may arrive in a query string (JupyterHub accepts `?token=`); never written to logs. */
const SECRET_QUERY_PARAMETERS = /([?&](?:token|_xsrf|code|state)=)[^&#]*/gi;

/** Fastify's request log fields, with query-string secrets masked. */
function serializeRequest(request: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
}): Record<string, string | undefined> {
  return {
    method: request.method,
    url: request.url?.replace(SECRET_QUERY_PARAMETERS, '$1[hidden]'),
    host: request.host,
    remoteAddress: request.ip,
  };
}

/** The database URL: db.url, or the SQLite file in the data directory. */
export function databaseUrlOf(config: CoursehubConfig): string {
  return config.db.url ?? join(resolve(config.hub.dataDir), 'coursehub.sqlite');
}

export interface OpenHubOptions {
  log?: FastifyBaseLogger;
  migrate?: boolean;
  /**
   * Make the data directory when it is missing: only `coursehub start` and `users import` do,
   * the commands that set a hub up. Any other command pointed at a missing one (a typo in
   * --data-dir) would otherwise make an empty hub database there and work on that.
   */
  createDataDir: boolean;
}

/**
 * Opens the data directory and database and runs pending migrations. Resolves `hub.dataDir` to an
 * absolute path and fills `hub.cookieSecret` (generated on first start) in the config it returns.
 */
export async function openHubDatabase(loaded: CoursehubConfig, options: OpenHubOptions): Promise<OpenedHub> {
  const dataDir = resolve(loaded.hub.dataDir);
  if (!options.createDataDir && !existsSync(dataDir))
    throw new DataDirError(`The data directory ${dataDir} does not exist.`, {
      hint: 'Check --data-dir (or hub.dataDir). A new hub gets its data directory from `coursehub start` or `coursehub users import`.',
    });
  // 700: the data dir holds the cookie secret and (with SQLite) every user's data.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const config: CoursehubConfig = {
    ...loaded,
    hub: { ...loaded.hub, dataDir, cookieSecret: ensureCookieSecret(dataDir, loaded.hub.cookieSecret) },
  };
  const log = options.log ?? createLogger(config);
  const database = await connectDatabase({
    url: databaseUrlOf(config),
    onRetry: (attempt, delayMs, error) =>
      log.warn({ attempt, delayMs, err: error }, 'database not reachable yet; retrying'),
  });
  const sqliteFile = databaseUrlOf(config).replace(/^sqlite:\/\//, '');
  if (database.dialect === 'sqlite' && sqliteFile !== ':memory:') {
    // The database holds password hashes and session ids: only the hub's user may read it, even
    // when the data dir was made by hand with looser permissions. SQLite gives its -wal and -shm
    // files the same mode.
    chmodSync(sqliteFile, 0o600);
  }
  try {
    if (options.migrate !== false) {
      const result = await migrateToLatest(database.db);
      const applied = (result.results ?? []).map((r) => r.migrationName);
      if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return { base: { config, db: database.db, log }, database, close: () => database.close() };
}
