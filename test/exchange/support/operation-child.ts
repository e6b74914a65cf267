/**
 * One exchange operation in a process of its own, for the kill -9 tests: it builds the exchange
 * over the test's database, area and home root, runs the operation, and at the checkpoint named
 * `stopAt` prints `STOPPED <point>` and waits to be killed. Without one it prints `DONE <json>`.
 *
 *   node --import tsx operation-child.ts '{"dbUrl":...,"dataDir":...,"homeRoot":...,"op":"submit",
 *     "course":...,"assignment":...,"actor":"amy","stopAt":"submit:copied"}'
 */
import pino from 'pino';
import { spawnerSection } from '../../../src/config/schema.js';
import { connectDatabase } from '../../../src/db/database.js';
import { CourseStores } from '../../../src/db/stores/course-stores.js';
import { CourseService } from '../../../src/exchange/courses/course-service.js';
import { Exchange } from '../../../src/exchange/exchange.js';
import { LocalProcessSpawner } from '../../../src/hub/spawner/local-process-spawner.js';
import { DEFAULT_TEST_LIMITS } from './exchange-fixture.js';

interface Order {
  dbUrl: string;
  dataDir: string;
  homeRoot: string;
  op: 'release' | 'submit' | 'collect';
  course: string;
  assignment: string;
  actor: string;
  stopAt?: string;
}

const order = JSON.parse(process.argv[2]!) as Order;
const handle = await connectDatabase({ url: order.dbUrl });
const stores = new CourseStores(handle.db);
const spawnerOptions = {
  ...spawnerSection.parse({}).local,
  homeRoot: order.homeRoot,
  environment: {},
  memoryLimitMb: 512,
  cpuLimit: 1,
  processLimit: 256,
  logDir: `${order.dataDir}/logs`,
  log: pino({ level: 'silent' }),
};
const exchange = new Exchange({
  stores,
  courses: new CourseService(stores, { dataDir: order.dataDir, unixGroups: false }),
  dataDir: order.dataDir,
  userFolders: (user) => new LocalProcessSpawner(user, '', spawnerOptions).storage,
  limits: DEFAULT_TEST_LIMITS,
  async checkpoint(point) {
    if (point !== order.stopAt) return;
    process.stdout.write(`STOPPED ${point}\n`);
    await new Promise(() => undefined); // until killed
  },
});
const actor = { name: order.actor };
const result =
  order.op === 'release'
    ? await exchange.release(order.course, order.assignment, actor)
    : order.op === 'submit'
      ? await exchange.submit(order.course, order.assignment, actor)
      : await exchange.collect(order.course, order.assignment, actor);
process.stdout.write(`DONE ${JSON.stringify(result)}\n`);
await handle.close();
