/**
 * A hub's exchange over a real database and real Unix accounts (as root), for the exchange tests:
 * a course `COURSE` with its directory, students whose files the local spawner's storage reaches
 * with their own rights (their homes under a temporary home root), and the Exchange service built
 * as src/app/services.ts builds it (limits given per test).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { spawnerSection } from '../../../src/config/schema.js';
import { CourseStores } from '../../../src/db/stores/course-stores.js';
import { CourseService } from '../../../src/exchange/courses/course-service.js';
import { Exchange, type ExchangeOptions } from '../../../src/exchange/exchange.js';
import { LocalProcessSpawner } from '../../../src/hub/spawner/local-process-spawner.js';
import type { UserStorage } from '../../../src/hub/spawner/spawner.js';
import type { FolderLimits } from '../../../src/sandbox/folder-archive.js';
import { lookupUnixAccount, type UnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { openTestDatabase, type Backend, type TestDatabase } from '../../db/backends.js';
import { removeUnixAccount } from '../../hub/spawner/test-accounts.js';

export const DEFAULT_TEST_LIMITS: FolderLimits = {
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 8 * 1024 * 1024,
  maxFiles: 200,
};

export interface ExchangeFixture {
  root: string;
  dataDir: string;
  courseDir: string;
  database: TestDatabase;
  stores: CourseStores;
  courses: CourseService;
  exchange: Exchange;
  storage(user: string): UserStorage;
  account(user: string): Promise<UnixAccount>;
  /** A new Exchange over the same database and area (e.g. with checkpoints). */
  makeExchange(options?: Partial<ExchangeOptions>): Exchange;
  dispose(): Promise<void>;
}

export async function exchangeFixture(options: {
  backend?: Backend;
  course: string;
  instructors?: string[];
  students: string[];
  limits?: FolderLimits;
}): Promise<ExchangeFixture> {
  const everyone = [...(options.instructors ?? []), ...options.students];
  for (const user of options.students) removeUnixAccount(user);
  const root = mkdtempSync(join(tmpdir(), 'coursehub-exchange-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const courseDir = join(root, 'course');
  const database = await openTestDatabase(options.backend ?? 'sqlite');
  const stores = new CourseStores(database.db);
  const courses = new CourseService(stores, { dataDir, unixGroups: false });
  for (const name of everyone) await stores.users.insert({ name });
  await courses.create({ id: options.course, directory: courseDir });
  await courses.enroll(options.course, [
    ...(options.instructors ?? []).map((name) => ({ name, role: 'instructor' as const })),
    ...options.students.map((name) => ({ name, role: 'student' as const })),
  ]);
  const spawnerOptions = {
    ...spawnerSection.parse({}).local,
    homeRoot: join(root, 'homes'),
    environment: {},
    memoryLimitMb: 512,
    cpuLimit: 1,
    processLimit: 256,
    logDir: join(root, 'logs'),
    log: pino({ level: 'silent' }),
  };
  const storage = (user: string) => new LocalProcessSpawner(user, '', spawnerOptions).storage;
  const makeExchange = (extra: Partial<ExchangeOptions> = {}) =>
    new Exchange({
      stores,
      courses,
      dataDir,
      userFolders: storage,
      limits: options.limits ?? DEFAULT_TEST_LIMITS,
      ...extra,
    });
  return {
    root,
    dataDir,
    courseDir,
    database,
    stores,
    courses,
    exchange: makeExchange(),
    storage,
    async account(user) {
      await storage(user).listFolder(''); // the storage makes the account on first use
      return (await lookupUnixAccount(user))!;
    },
    makeExchange,
    async dispose() {
      await database.dispose();
      for (const user of options.students) removeUnixAccount(user);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
