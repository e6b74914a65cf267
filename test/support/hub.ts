/**
 * A real hub for tests: `startHub` (the same function `coursehub start` runs) in this process,
 * on a free loopback port, with a temp data dir and a config file written from `config`.
 *
 *   const hub = await startRealHub({ config: { auth: { authenticator: 'dummy' } }, demo: true });
 *   await fetch(`${hub.url}hub/health`);
 *   await hub.stop(); // in afterAll: closes the server and the database, removes the data dir
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '../../src/app/start.js';
import { freePort } from './postgres.js';

export interface RealHubOptions {
  /** Config file contents (merged over the test defaults: loopback, free port, temp data dir). */
  config?: Record<string, unknown>;
  /** Environment variables the hub sees (default: none, so the developer's env cannot leak in). */
  env?: Record<string, string | undefined>;
  /** `coursehub start --demo`. */
  demo?: boolean;
  /** A database URL (e.g. from createTestDatabase()); default: SQLite in the data dir. */
  dbUrl?: string;
}

export interface RealHub {
  /** e.g. http://127.0.0.1:41234/ (always ends in /). */
  url: string;
  dataDir: string;
  configFile: string;
  hub: RunningHub;
  /** Lines `coursehub start` printed for the person at the terminal. */
  printed: string[];
  stop(): Promise<void>;
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      typeof value === 'object' && value && !Array.isArray(value) && typeof current === 'object' && current
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

export async function startRealHub(options: RealHubOptions = {}): Promise<RealHub> {
  const root = mkdtempSync(join(tmpdir(), 'coursehub-hub-'));
  const dataDir = join(root, 'data');
  const defaults: Record<string, unknown> = {
    hub: { ip: '127.0.0.1', port: await freePort(), hubPort: await freePort(), dataDir },
    // Its own proxy API port too, so hubs of tests running side by side never meet.
    proxy: { apiPort: await freePort() },
    log: { level: process.env.COURSEHUB_TEST_LOG_LEVEL ?? 'silent' },
    // The user servers' egress rules in a table of this hub's own (removed in stop), never the
    // machine's `coursehub` table.
    spawner: { network: { table: `chtest_hub_${root.split('-').pop()}` } },
    ...(options.dbUrl ? { db: { url: options.dbUrl } } : {}),
  };
  const configFile = join(root, 'coursehub.json');
  writeFileSync(configFile, JSON.stringify(merge(defaults, options.config ?? {}), null, 2));
  const printed: string[] = [];
  let hub: RunningHub;
  try {
    hub = await startHub({
      configFile,
      env: options.env ?? {},
      demo: options.demo ?? false,
      print: (line) => printed.push(line),
    });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    url: hub.url.endsWith('/') ? hub.url : `${hub.url}/`,
    dataDir,
    configFile,
    hub,
    printed,
    async stop() {
      try {
        await hub.stop();
      } finally {
        const table = hub.config.spawner.network.table;
        spawnSync('nft', ['delete', 'table', 'inet', table], {
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        });
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
