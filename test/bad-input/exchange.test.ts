// Hostile students at the exchange (issue 12, "Must hold: hostile students"), with real Unix
// accounts (as root): what a student can put in their assignment folder — links to files they
// cannot read (another student's notebook, the hub's database, /etc/shadow), names with `..`,
// newlines or bytes that are not UTF-8, 10,000 files, a 2 GB (sparse) file, a FIFO, a notebook
// that is not JSON — and ids that climb out of their folder. Each gets a clear answer naming the
// file; no submission row, no folder in the exchange's area, and the student's files as they were.
// The snapshot is read by the student's own `tar`: a file they cannot read is never read.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chownSync,
  linkSync,
  lchownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  chmodSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidCourseNameError, SubmissionRefusedError } from '../../src/exchange/errors.js';
import type { UnixAccount } from '../../src/sandbox/unix-accounts.js';
import { exchangeFixture, type ExchangeFixture } from '../exchange/support/exchange-fixture.js';

const isRoot = process.getuid?.() === 0;
const COURSE = 'hostile101';
const PROF = 'chx_hprof';
const MALLORY = 'chx_mallory';
const VICTIM = 'chx_victim';
const SECRET = 'the victim’s answer: 42';

describe.runIf(isRoot)('hostile students at the exchange', () => {
  let hub: ExchangeFixture;
  let mallory: UnixAccount;
  let victim: UnixAccount;
  let folder: string;

  /** Every row and every file the exchange holds, to compare before and after. */
  async function exchangeState() {
    const rows = await hub.stores.exchange.submissions((await hub.courses.require(COURSE)).id);
    const area = join(hub.dataDir, 'exchange', COURSE);
    const walk = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
            entry.isDirectory()
              ? [entry.name + '/', ...walk(join(dir, entry.name)).map((p) => `${entry.name}/${p}`)]
              : [entry.name],
          )
        : [];
    return { rows: rows.map((row) => row.id), files: walk(area).sort() };
  }

  /** Submits and expects a refusal whose message matches; nothing may change in the exchange. */
  async function refused(message: RegExp) {
    const before = await exchangeState();
    const listing = () => readdirSync(folder).sort();
    const files = listing();
    const error = await hub.exchange.submit(COURSE, 'ps1', { name: MALLORY }).then(
      () => undefined,
      (caught: unknown) => caught as SubmissionRefusedError,
    );
    expect(error).toBeInstanceOf(SubmissionRefusedError);
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain(SECRET);
    expect(await exchangeState()).toEqual(before);
    expect(listing()).toEqual(files);
    return error!;
  }

  /** Something placed in Mallory's folder, owned by her (as if she had made it). */
  function plant(name: string, make: (path: string) => void, owner = true) {
    const path = join(folder, name);
    make(path);
    if (owner) lchownSync(path, mallory.uid, mallory.gid);
    return path;
  }

  beforeAll(async () => {
    hub = await exchangeFixture({
      course: COURSE,
      instructors: [PROF],
      students: [MALLORY, VICTIM],
      limits: { maxFileBytes: 100 * 1024 * 1024, maxTotalBytes: 500 * 1024 * 1024, maxFiles: 1000 },
    });
    mkdirSync(join(hub.courseDir, 'release', 'ps1'), { recursive: true });
    writeFileSync(
      join(hub.courseDir, 'release', 'ps1', 'p1.ipynb'),
      '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n',
    );
    await hub.exchange.release(COURSE, 'ps1', { name: PROF });
    await hub.exchange.fetch(COURSE, 'ps1', { name: VICTIM });
    await hub.storage(VICTIM).writeFile(`${COURSE}/ps1/p1.ipynb`, SECRET);
    victim = await hub.account(VICTIM);
    mallory = await hub.account(MALLORY);
    chmodSync(join(victim.home, COURSE, 'ps1', 'p1.ipynb'), 0o600);
    folder = join(mallory.home, COURSE, 'ps1');
  });
  afterAll(async () => {
    await hub?.dispose();
  });
  beforeEach(async () => {
    rmSync(folder, { recursive: true, force: true });
    await hub.exchange.fetch(COURSE, 'ps1', { name: MALLORY });
  });

  it('refuses a symbolic link to another student’s notebook, to /etc/shadow and to a folder', async () => {
    plant('theirs.ipynb', (path) => symlinkSync(join(victim.home, COURSE, 'ps1', 'p1.ipynb'), path));
    const error = await refused(/theirs\.ipynb is a symbolic link .*nothing was taken/);
    expect(error.message).toContain(`${COURSE}/ps1/theirs.ipynb`);
    rmSync(join(folder, 'theirs.ipynb'));
    plant('shadow', (path) => symlinkSync('/etc/shadow', path));
    await refused(/shadow is a symbolic link \(to "\/etc\/shadow"\)/);
    rmSync(join(folder, 'shadow'));
    plant('etc', (path) => symlinkSync('/etc', path));
    await refused(/etc is a symbolic link/);
  });

  it('refuses a hard link to a file the student cannot read, and the student cannot make one', async () => {
    // Mallory herself cannot link to another home (0700) nor to /etc/shadow (protected_hardlinks).
    for (const target of [join(victim.home, COURSE, 'ps1', 'p1.ipynb'), '/etc/shadow']) {
      const attempt = spawnSync(
        '/usr/bin/setpriv',
        [
          `--reuid=${mallory.uid}`,
          `--regid=${mallory.gid}`,
          '--clear-groups',
          'ln',
          target,
          join(folder, 'stolen'),
        ],
        { encoding: 'utf8' },
      );
      expect(attempt.status).not.toBe(0);
      expect(existsSync(join(folder, 'stolen'))).toBe(false);
    }
    // Made by someone who could (root): her own tar still cannot read through them.
    plant('theirs.ipynb', (path) => linkSync(join(victim.home, COURSE, 'ps1', 'p1.ipynb'), path), false);
    const error = await refused(/theirs\.ipynb.*Permission denied/);
    expect(error.hint).toMatch(/may not read it with their own rights/);
    rmSync(join(folder, 'theirs.ipynb'));
    const database = join(hub.root, 'coursehub.sqlite');
    writeFileSync(database, 'the hub’s database', { mode: 0o600 });
    plant('db.sqlite', (path) => linkSync(database, path), false);
    await refused(/db\.sqlite.*Permission denied/);
    rmSync(join(folder, 'db.sqlite'));
    plant('shadow', (path) => linkSync('/etc/shadow', path), false);
    await refused(/shadow.*Permission denied/);
  });

  it('refuses names with a newline or bytes that are not UTF-8, and a FIFO', async () => {
    plant('answer\n.ipynb', (path) => writeFileSync(path, '{}'));
    await refused(/named "answer\\n\.ipynb": its name holds a control character/);
    rmSync(join(folder, 'answer\n.ipynb'));
    const latin1 = Buffer.concat([Buffer.from(folder + '/caf'), Buffer.from([0xe9]), Buffer.from('.ipynb')]);
    writeFileSync(latin1, '{}');
    chownSync(latin1, mallory.uid, mallory.gid);
    await refused(/whose name is not UTF-8 \(caf\\xe9\.ipynb\)/);
    rmSync(latin1);
    plant('pipe', (path) => execFileSync('mkfifo', [path]));
    await refused(/pipe is not a regular file \(a fifo\)/);
  });

  it('refuses 10,000 files and a 2 GB sparse file, naming the limit, at once', async () => {
    const many = plant('many', (path) => mkdirSync(path));
    for (let i = 0; i < 10_000; i++) writeFileSync(join(many, `f${i}.txt`), 'x');
    execFileSync('chown', ['-R', `${mallory.uid}:${mallory.gid}`, many]);
    await refused(/holds more than 1000 files; nothing was taken/);
    rmSync(many, { recursive: true });
    plant('huge.bin', (path) => {
      writeFileSync(path, '');
      truncateSync(path, 2 * 1024 ** 3);
    });
    const error = await refused(/huge\.bin has 2048 MiB, more than the 100 MiB a file may have/);
    expect(error.hint).toMatch(/make it smaller/);
  });

  it('takes a notebook that is not JSON, with a warning that names it', async () => {
    await hub.storage(MALLORY).writeFile(`${COURSE}/ps1/p1.ipynb`, 'this is not { json');
    const receipt = await hub.exchange.submit(COURSE, 'ps1', { name: MALLORY });
    expect(receipt.warnings).toEqual([
      expect.stringMatching(/^p1\.ipynb is not a notebook \(not valid JSON\): it cannot be graded/),
    ]);
  });

  it('refuses ids that leave their folder, before touching any file', async () => {
    const before = await exchangeState();
    for (const assignment of ['..', '../../etc', 'ps1/../../x', 'a\nb', 'a\0b'])
      for (const run of [
        () => hub.exchange.submit(COURSE, assignment, { name: MALLORY }),
        () => hub.exchange.fetch(COURSE, assignment, { name: MALLORY }),
        () => hub.exchange.release(COURSE, assignment, { name: PROF }),
        () => hub.exchange.collect(COURSE, assignment, { name: PROF }),
      ])
        await expect(run()).rejects.toBeInstanceOf(InvalidCourseNameError);
    await expect(
      hub.exchange.collect(COURSE, 'ps1', { name: PROF }, { student: '../victim' }),
    ).rejects.toBeInstanceOf(InvalidCourseNameError);
    expect(await exchangeState()).toEqual(before);
    // The victim's notebook was never read by anyone else.
    expect(readFileSync(join(victim.home, COURSE, 'ps1', 'p1.ipynb'), 'utf8')).toBe(SECRET);
  });
});
