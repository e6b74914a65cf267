/**
 * Exchange benchmark (`npm run bench:exchange`, as root). Through the hub's REST API (the hub
 * built as `coursehub start` builds it, answered in-process): 200 students, each a real Unix
 * account with the sample assignment fetched into their home, submit at the same moment; every
 * receipt must carry the checksum of the files submitted; p50 and p99 of the submit times. Then
 * collect of 2,000 submissions (the latest of 2,000 students, made in the exchange's area as
 * submit makes them) against `cp -a` of the same folders, the baseline, run alternately with it
 * three times each (medians compared).
 * Last line: `submit p99 N ms with 200 at once (goal < 1000); collect X.XXx cp -a (goal <= 2)`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildHub } from '../src/app/build-hub.js';
import { configSchema } from '../src/config/schema.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { ExchangeArea } from '../src/exchange/exchange-area.js';
import {
  hubTimestamp,
  snapshotChecksum,
  timestampFolderName,
  timestampText,
} from '../src/exchange/receipt.js';
import { removeCourseGroup } from '../src/sandbox/course-groups.js';

const STUDENTS = 200;
const COLLECTED = 2000;
const COURSE = 'bench101';
/** Collect and its `cp -a` baseline, each run this many times, alternately. */
const ROUNDS = 3;
const students = Array.from({ length: STUDENTS }, (_, i) => `chbx_s${String(i + 1).padStart(3, '0')}`);

function removeAccount(name: string): void {
  try {
    execFileSync('userdel', ['--remove', '--force', name], { stdio: 'ignore' });
  } catch {
    // not there
  }
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.ceil((p / 100) * xs.length) - 1]!;

const median = (xs: number[]) => percentile(xs, 50);

/** Runs `work` on every item, `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The sample assignment: a notebook of a problem with a visible and a hidden test, and its data. */
function sampleAssignment(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const cell = (id: string, source: string) => ({
    cell_type: 'code',
    execution_count: null,
    id,
    metadata: {},
    outputs: [],
    source,
  });
  const notebook = {
    cells: [
      { cell_type: 'markdown', id: 'intro', metadata: {}, source: '# Hello\nWrite `hello(name)`.' },
      cell('answer', 'def hello(name):\n    # YOUR CODE HERE\n    raise NotImplementedError()'),
      cell('test', 'assert hello("world") == "Hello, world!"'),
      {
        cell_type: 'markdown',
        id: 'essay',
        metadata: {},
        source: 'Explain your answer.\n\nYOUR ANSWER HERE',
      },
    ],
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(folder, 'hello.ipynb'), JSON.stringify(notebook, null, 1));
  writeFileSync(join(folder, 'names.csv'), Array.from({ length: 200 }, (_, i) => `name${i},${i}`).join('\n'));
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:exchange needs root (real Unix accounts).');
  const root = mkdtempSync(join(tmpdir(), 'coursehub-bench-exchange-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  for (const name of students) removeAccount(name);
  const config = configSchema.parse({
    hub: { dataDir, cookieSecret: 'b'.repeat(64) },
    spawner: { local: { homeRoot: join(root, 'homes') } },
    log: { level: 'warn' },
  });
  const database = openDatabase({ url: join(dataDir, 'coursehub.sqlite') });
  await migrateToLatest(database.db);
  const { app, services } = await buildHub({ config, db: database.db, log: pino({ level: 'warn' }) });
  try {
    const courseDir = join(root, 'course');
    await services.courses.create({ id: COURSE, directory: courseDir });
    await services.users.create({ name: 'chbx_prof' });
    for (const name of students) await services.users.create({ name });
    await services.courses.enroll(COURSE, [
      { name: 'chbx_prof', role: 'instructor' },
      ...students.map((name) => ({ name, role: 'student' as const })),
    ]);
    sampleAssignment(join(courseDir, 'release', 'ps1'));
    await services.exchange.release(COURSE, 'ps1', { name: 'chbx_prof' });
    const expected = snapshotChecksum(
      ['hello.ipynb', 'names.csv'].map((path) => ({
        path,
        data: readFileSync(join(courseDir, 'release', 'ps1', path)),
        executable: false,
      })),
    );
    console.log(`setting up ${STUDENTS} students (Unix accounts, fetched assignment) ...`);
    await inBatches(students, 8, async (name) => {
      await services.exchange.fetch(COURSE, 'ps1', { name });
    });
    const tokens = new Map<string, string>();
    for (const name of students) tokens.set(name, (await services.tokens.create({ user: name })).token);

    const times: number[] = [];
    let valid = 0;
    await Promise.all(
      students.map(async (name) => {
        const start = performance.now();
        const res = await app.inject({
          method: 'POST',
          url: `/hub/api/courses/${COURSE}/assignments/ps1/submit`,
          headers: { authorization: `token ${tokens.get(name)}` },
        });
        times.push(performance.now() - start);
        const receipt = res.json() as { checksum?: string; timestamp?: string };
        if (res.statusCode === 201 && receipt.checksum === expected && receipt.timestamp) valid++;
        else console.log(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      }),
    );
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    console.log(
      `submit: ${valid}/${STUDENTS} receipts valid; p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`,
    );
    if (valid !== STUDENTS) throw new Error('some submissions failed or had a wrong checksum');

    // 2,000 students' latest submissions, written to the area and recorded as submit does.
    const course = await services.courses.require(COURSE);
    const area = new ExchangeArea(join(dataDir, 'exchange'));
    const first = (await services.courseStores.exchange.submissions(course.id)).at(0)!;
    const files = await area.read(first.folder);
    const folders: string[] = [];
    await inBatches(
      Array.from({ length: COLLECTED }, (_, i) => i),
      8,
      async (i) => {
        const student = `bulk${String(i).padStart(4, '0')}`;
        const timestamp = hubTimestamp();
        const folder = `${COURSE}/submissions/${student}/ps2/${timestampFolderName(timestamp)}-${i}`;
        await area.put(folder, files, timestampText(timestamp)); // as submit stores it
        folders.push(folder);
        await services.courseStores.exchange.insertSubmission({
          courseId: course.id,
          assignment: 'ps2',
          student,
          userId: null,
          timestamp,
          folder,
          checksum: first.checksum,
          files: files.length,
          bytes: files.reduce((sum, f) => sum + f.data.length, 0),
          releaseId: null,
          warnings: [],
        });
      },
    );
    // The baseline swings with what else the machine does: collect and `cp -a` run alternately,
    // ROUNDS times each (the collected copies and the baseline's removed and synced in between),
    // and the medians are compared.
    const collectTimes: number[] = [];
    const cpTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baseline = join(root, 'cp-a');
      mkdirSync(baseline);
      execFileSync('sync');
      let start = performance.now();
      // One cp -a for every folder at once (the fastest way to copy them by hand).
      execFileSync('cp', ['-a', ...folders.map((folder) => join(dataDir, 'exchange', folder)), baseline]);
      cpTimes.push(performance.now() - start);
      rmSync(baseline, { recursive: true, force: true });
      rmSync(join(courseDir, 'submitted'), { recursive: true, force: true });
      execFileSync('sync');
      start = performance.now();
      const collected = await services.exchange.collect(COURSE, 'ps2', { name: 'chbx_prof' });
      collectTimes.push(performance.now() - start);
      if (collected.collected.length !== COLLECTED)
        throw new Error(`collected ${collected.collected.length}`);
    }
    const collectMs = median(collectTimes);
    const cpMs = median(cpTimes);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    console.log(
      `collect: ${COLLECTED} submissions in ${list(collectTimes)} ms (median ${collectMs.toFixed(0)}); ` +
        `cp -a of the same folders ${list(cpTimes)} ms (median ${cpMs.toFixed(0)})`,
    );
    console.log(
      `submit p99 ${p99.toFixed(0)} ms with ${STUDENTS} at once (goal < 1000); collect ${(collectMs / cpMs).toFixed(2)}x cp -a (goal <= 2)`,
    );
  } finally {
    await app.close();
    await database.close();
    for (const name of students) removeAccount(name);
    await removeCourseGroup(COURSE).catch(() => undefined); // made for the course (a hub that is root)
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
