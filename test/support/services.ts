/**
 * The hub's services over a test database, built by the composition root (src/app/services.ts)
 * as the hub builds them, for tests of one area that need no app. Logs are silent; the data
 * directory is a path that does not exist, so no proxy secret is found and nothing is written
 * (the proxy calls a user's removal makes fail and are logged, as with a hub whose proxy is down).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { buildCoreServices, type CoreServices } from '../../src/app/services.js';
import { configSchema } from '../../src/config/schema.js';
import type { Database } from '../../src/db/schema.js';

export function testServices(db: Kysely<Database>, config: Record<string, unknown> = {}): CoreServices {
  const parsed = configSchema.parse({
    ...config,
    hub: {
      cookieSecret: 'f'.repeat(64),
      dataDir: join(tmpdir(), 'coursehub-test-no-data-dir'),
      ...((config.hub as object | undefined) ?? {}),
    },
  });
  return buildCoreServices({ config: parsed, db, log: pino({ level: 'silent' }) });
}
