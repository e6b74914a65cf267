// The two databases every repository test runs against: a SQLite file in a temp dir and a fresh
// database on the test PostgreSQL server (test/global-setup.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from '../../src/db/database.js';
import { createTestDatabase } from '../support/postgres.js';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestDatabase extends DatabaseHandle {
  url: string;
  dispose(): Promise<void>;
}

export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  let url: string;
  let cleanup = () => {};
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coursehub-sqlite-'));
    url = join(dir, 'coursehub.sqlite');
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    url = await createTestDatabase();
  }
  const handle = await connectDatabase({ url });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    async dispose() {
      await handle.close();
      cleanup();
    },
  };
}
