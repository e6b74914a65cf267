// kill -9 in the middle of a release, a submit and a collect (issue 12, "Must hold: kill -9"): the
// operation runs in a child process (test/exchange/support/operation-child.ts) that stops at a
// named checkpoint — after the copy is complete but before its row, or between staging and
// renaming a collected folder — and is killed there with SIGKILL. Then: every earlier submission
// and the student's files are intact; the sweep a starting hub runs removes what the killed run
// left; and repeating the operation gives the same result as one clean run.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotChecksum } from '../../src/exchange/receipt.js';
import { readFolderFiles } from '../../src/exchange/folder-files.js';
import { exchangeFixture, type ExchangeFixture } from './support/exchange-fixture.js';

const isRoot = process.getuid?.() === 0;
const COURSE = 'crash101';
const PROF = 'chx_cprof';
const AMY = 'chx_camy';
const BOB = 'chx_cbob';
const CHILD = join(import.meta.dirname, 'support', 'operation-child.ts');

/** Runs one operation in a child process, kills it with SIGKILL at `stopAt`; resolves once it is gone. */
function killAt(hub: ExchangeFixture, op: string, actor: string, stopAt: string): Promise<void> {
  const order = {
    dbUrl: hub.database.url,
    dataDir: hub.dataDir,
    homeRoot: join(hub.root, 'homes'),
    op,
    course: COURSE,
    assignment: 'ps1',
    actor,
    stopAt,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(order)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`STOPPED ${stopAt}`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('close', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve()
        : reject(new Error(`the child ended with ${code ?? signal} before ${stopAt}: ${out}${err}`)),
    );
  });
}

const digest = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.runIf(isRoot)('kill -9 during release, submit and collect', () => {
  let hub: ExchangeFixture;
  const prof = { name: PROF };
  const notebook = (answer: string) => JSON.stringify({ cells: [{ cell_type: 'code', source: answer }] });

  beforeAll(async () => {
    hub = await exchangeFixture({ course: COURSE, instructors: [PROF], students: [AMY, BOB] });
    mkdirSync(join(hub.courseDir, 'release', 'ps1'), { recursive: true });
    writeFileSync(join(hub.courseDir, 'release', 'ps1', 'p1.ipynb'), notebook(''));
    writeFileSync(join(hub.courseDir, 'release', 'ps1', 'data.csv'), 'x,y\n1,2\n');
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('release: a copy without its row is swept; the repeat is version 1, as a clean run', async () => {
    const expected = snapshotChecksum(
      await readFolderFiles(join(hub.courseDir, 'release', 'ps1'), { label: 'release/ps1' }),
    );
    await killAt(hub, 'release', PROF, 'release:copied');
    const course = await hub.courses.require(COURSE);
    expect(await hub.stores.exchange.releases(course.id)).toEqual([]);
    expect(existsSync(join(hub.dataDir, 'exchange', COURSE, 'releases', 'ps1', 'v1', 'p1.ipynb'))).toBe(true);
    expect(await hub.exchange.sweep()).toEqual([`${COURSE}/releases/ps1/v1`]);
    const repeat = await hub.exchange.release(COURSE, 'ps1', prof);
    expect(repeat).toMatchObject({ version: 1, checksum: expected, unchanged: false });
    expect(readdirSync(join(hub.dataDir, 'exchange', COURSE, 'releases', 'ps1'))).toEqual(['v1']);
  });

  it('submit: earlier submissions and the student’s files intact; the repeat records one submission', async () => {
    await hub.exchange.fetch(COURSE, 'ps1', { name: AMY });
    await hub.storage(AMY).writeFile(`${COURSE}/ps1/p1.ipynb`, notebook('a = 1'));
    const first = await hub.exchange.submit(COURSE, 'ps1', { name: AMY });
    await hub.storage(AMY).writeFile(`${COURSE}/ps1/p1.ipynb`, notebook('a = 2'));
    const home = (await hub.account(AMY)).home;
    const studentFile = readFileSync(join(home, COURSE, 'ps1', 'p1.ipynb'));
    const course = await hub.courses.require(COURSE);
    const rowsBefore = await hub.stores.exchange.submissions(course.id, { student: AMY });

    await killAt(hub, 'submit', AMY, 'submit:copied');
    expect(await hub.stores.exchange.submissions(course.id, { student: AMY })).toEqual(rowsBefore);
    expect(readFileSync(join(home, COURSE, 'ps1', 'p1.ipynb'))).toEqual(studentFile);
    const earlier = await readFolderFiles(join(hub.dataDir, 'exchange', rowsBefore[0]!.folder), {
      label: 'x',
    });
    expect(snapshotChecksum(earlier)).toBe(first.checksum);

    // The killed submit's folder and the timestamp.txt written beside it.
    const swept = await hub.exchange.sweep();
    expect(swept).toHaveLength(2);
    const [folder, stamp] = [...swept].sort();
    expect(folder).toMatch(new RegExp(`^${COURSE}/submissions/${AMY}/ps1/[^/]+$`));
    expect(stamp).toBe(`${folder}.timestamp.txt`);
    const repeat = await hub.exchange.submit(COURSE, 'ps1', { name: AMY });
    const rows = await hub.stores.exchange.submissions(course.id, { student: AMY });
    expect(rows.map((row) => row.checksum)).toEqual([first.checksum, repeat.checksum]);
    // The repeat's snapshot is the student's files as they are, as a clean submit's would be.
    const expected = snapshotChecksum([
      { path: 'data.csv', data: readFileSync(join(home, COURSE, 'ps1', 'data.csv')), executable: false },
      { path: 'p1.ipynb', data: studentFile, executable: false },
    ]);
    expect(repeat.checksum).toBe(expected);
    // Two submissions, each with its timestamp.txt beside it.
    expect(readdirSync(join(hub.dataDir, 'exchange', COURSE, 'submissions', AMY, 'ps1')).sort()).toEqual(
      rows.flatMap((row) => [basename(row.folder), `${basename(row.folder)}.timestamp.txt`]).sort(),
    );
  });

  it('collect: a staged copy never shows as collected; the repeat collects every student as a clean run', async () => {
    await hub.exchange.fetch(COURSE, 'ps1', { name: BOB });
    await hub.storage(BOB).writeFile(`${COURSE}/ps1/p1.ipynb`, notebook('b = 3'));
    await hub.exchange.submit(COURSE, 'ps1', { name: BOB });
    await killAt(hub, 'collect', PROF, 'collect:staged');
    // Killed while Amy's copy was staged beside its place: nothing counts as collected.
    expect(existsSync(join(hub.courseDir, 'submitted', AMY, 'ps1'))).toBe(false);
    expect(
      readdirSync(join(hub.courseDir, 'submitted', AMY)).some((name) => name.includes('collecting')),
    ).toBe(true);

    const repeat = await hub.exchange.collect(COURSE, 'ps1', prof);
    expect(repeat.collected.map((c) => c.student)).toEqual([AMY, BOB]);
    expect(readdirSync(join(hub.courseDir, 'submitted', AMY))).toEqual(['ps1']);
    const course = await hub.courses.require(COURSE);
    for (const student of [AMY, BOB]) {
      const latest = (await hub.stores.exchange.submissions(course.id, { student })).at(-1)!;
      const folder = join(hub.courseDir, 'submitted', student, 'ps1');
      expect(readFileSync(join(folder, 'timestamp.txt'), 'utf8')).toBe(`${latest.timestamp} UTC`);
      const copied = await readFolderFiles(folder, { label: 'x' });
      const stored = await readFolderFiles(join(hub.dataDir, 'exchange', latest.folder), { label: 'x' });
      expect(copied.filter((f) => f.path !== 'timestamp.txt').map((f) => [f.path, digest(f.data)])).toEqual(
        stored.map((f) => [f.path, digest(f.data)]),
      );
    }
  });
});
