// collect of a whole class (issue 12): 450 students' submissions, written to the exchange's area
// and recorded as submit does, collected by the hub's worker threads (one run of students each).
// A link planted in the course directory by an instructor is refused before anything is written
// through it; a link in one submission stops the whole collect with no copy and no stage left
// (also of the students whose copies other threads had finished); a clean run puts every copy
// with nbgrader's timestamp.txt and every student in the gradebook; repeats skip what is there.
// The copies are hard links of the area's files, which the course's instructors cannot write
// through; a course directory on another file system gets real copies.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseRefusedError } from '../../src/exchange/errors.js';
import { ExchangeArea } from '../../src/exchange/exchange-area.js';
import { hubTimestamp, timestampFolderName, timestampText } from '../../src/exchange/receipt.js';
import { ensureCourse, listStudents } from '../../src/gradebook/courses.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { exchangeFixture, type ExchangeFixture } from './support/exchange-fixture.js';

const isRoot = process.getuid?.() === 0;
const COURSE = 'many101';
const PROF = 'chx_mprof';
const STUDENTS = 450;
const student = (i: number) => `m${String(i).padStart(4, '0')}`;
const prof = { name: PROF };

describe.runIf(isRoot)('collect of a class of 450', () => {
  let hub: ExchangeFixture;
  let area: ExchangeArea;
  const folders = new Map<string, string>();

  async function submitAs(name: string, text: string, courseId = COURSE): Promise<string> {
    const course = await hub.courses.require(courseId);
    const timestamp = hubTimestamp();
    const folder = `${courseId}/submissions/${name}/ps1/${timestampFolderName(timestamp)}-${folders.size}`;
    const files = [
      { path: 'p1.ipynb', data: Buffer.from(text), executable: false },
      { path: 'data/names.csv', data: Buffer.from(`${name},1\n`), executable: false },
      // A student's own timestamp.txt, which the collected copy must not keep.
      { path: 'timestamp.txt', data: Buffer.from('1999-01-01 00:00:00 UTC'), executable: false },
    ];
    // Every other student's submission as submit stores it now (the hub's timestamp.txt beside
    // it), the others as submissions stored before that (none beside them).
    await area.put(folder, files, folders.size % 2 === 0 ? timestampText(timestamp) : undefined);
    await hub.stores.exchange.insertSubmission({
      courseId: course.id,
      assignment: 'ps1',
      student: name,
      userId: null,
      timestamp,
      folder,
      checksum: 'not checked by collect',
      files: files.length,
      bytes: files.reduce((sum, f) => sum + f.data.length, 0),
      releaseId: null,
      warnings: [],
    });
    folders.set(name, folder);
    return timestamp;
  }

  /** Every name below submitted/, at any depth. */
  const submittedTree = () =>
    existsSync(join(hub.courseDir, 'submitted'))
      ? readdirSync(join(hub.courseDir, 'submitted'), { recursive: true, encoding: 'utf8' }).sort()
      : [];

  beforeAll(async () => {
    hub = await exchangeFixture({ course: COURSE, instructors: [PROF], students: [] });
    area = new ExchangeArea(join(hub.dataDir, 'exchange'));
    for (let i = 0; i < STUDENTS; i++) await submitAs(student(i), `{"answer": ${i}}`);
  });
  afterAll(async () => {
    await hub?.dispose();
    removeUnixAccount(PROF);
  });

  it('refuses a link in the course directory before writing anything through it', async () => {
    const outside = join(hub.root, 'outside');
    mkdirSync(outside);
    rmSync(join(hub.courseDir, 'submitted'), { recursive: true });
    symlinkSync(outside, join(hub.courseDir, 'submitted'));
    await expect(hub.exchange.collect(COURSE, 'ps1', prof)).rejects.toThrow(
      /submitted is not a folder \(a link or a file\); nothing was collected there/,
    );
    rmSync(join(hub.courseDir, 'submitted'));
    mkdirSync(join(hub.courseDir, 'submitted'));
    symlinkSync(outside, join(hub.courseDir, 'submitted', student(400)));
    await expect(hub.exchange.collect(COURSE, 'ps1', prof)).rejects.toBeInstanceOf(ReleaseRefusedError);
    expect(readdirSync(outside)).toEqual([]);
    expect(submittedTree()).toEqual([student(400)]);
    rmSync(join(hub.courseDir, 'submitted', student(400)));
  });

  it('a link in one submission stops the whole collect: no copy, no stage, of any student', async () => {
    const bad = join(area.root, folders.get(student(420))!, 'link.ipynb');
    symlinkSync('/etc/shadow', bad);
    const error = await hub.exchange.collect(COURSE, 'ps1', prof).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseRefusedError);
    expect((error as Error).message).toMatch(/link\.ipynb is a symbolic link; nothing was copied/);
    // The students' folders were made; no copy and no stage is in any of them.
    expect(submittedTree().filter((name) => name.includes('/'))).toEqual([]);
    rmSync(bad);
  });

  it('collects every student with timestamp.txt and adds them to the gradebook; repeats skip them', async () => {
    const first = await hub.exchange.collect(COURSE, 'ps1', prof);
    expect(first.collected.map((c) => c.student)).toEqual(
      Array.from({ length: STUDENTS }, (_, i) => student(i)),
    );
    for (const i of [0, 224, 225, 449]) {
      const copy = join(hub.courseDir, 'submitted', student(i), 'ps1');
      expect(readdirSync(copy, { recursive: true, encoding: 'utf8' }).sort()).toEqual([
        'data',
        'data/names.csv',
        'p1.ipynb',
        'timestamp.txt',
      ]);
      expect(readFileSync(join(copy, 'p1.ipynb'), 'utf8')).toBe(`{"answer": ${i}}`);
      expect(readFileSync(join(copy, 'timestamp.txt'), 'utf8')).toBe(`${first.collected[i]!.timestamp} UTC`);
    }
    expect(submittedTree().filter((name) => name.includes('.ps1.'))).toEqual([]);
    // timestamp.txt is the hub's: linked from beside the submission, or written for an older one.
    const stamp = (i: number) => join(hub.courseDir, 'submitted', student(i), 'ps1', 'timestamp.txt');
    expect(statSync(stamp(0)).ino).toBe(statSync(area.stampPath(folders.get(student(0))!)).ino);
    expect(statSync(stamp(1)).nlink).toBe(1);
    expect(statSync(stamp(1)).mode & 0o7777).toBe(0o644);
    // The collected notebook is the area's file itself (one inode, two names), root's and 0644.
    const collected = join(hub.courseDir, 'submitted', student(7), 'ps1', 'p1.ipynb');
    const kept = join(area.root, folders.get(student(7))!, 'p1.ipynb');
    expect(statSync(collected).ino).toBe(statSync(kept).ino);
    expect(statSync(collected).nlink).toBe(2);
    expect(statSync(collected).mode & 0o7777).toBe(0o644);
    // An instructor can remove or replace the copy in the course directory, never write through it.
    const account = await hub.account(PROF);
    const write = spawnSync(
      '/usr/bin/setpriv',
      [
        `--reuid=${account.uid}`,
        `--regid=${account.gid}`,
        '--clear-groups',
        '/bin/sh',
        '-c',
        `echo changed >> '${collected}'`,
      ],
      { encoding: 'utf8' },
    );
    expect(write.status).not.toBe(0);
    expect(write.stderr).toMatch(/Permission denied/);
    expect(readFileSync(kept, 'utf8')).toBe('{"answer": 7}');
    const gradebook = hub.stores.gradebook;
    const students = await listStudents(gradebook, await ensureCourse(gradebook, COURSE));
    expect(students.map((s) => s.id).sort()).toEqual(first.collected.map((c) => c.student));

    const again = await hub.exchange.collect(COURSE, 'ps1', prof);
    expect(again.collected).toEqual([]);
    expect(again.skipped).toHaveLength(STUDENTS);

    const newer = await submitAs(student(300), '{"answer": "second"}');
    const update = await hub.exchange.collect(COURSE, 'ps1', prof, { update: true });
    expect(update.collected).toEqual([{ student: student(300), timestamp: newer }]);
    expect(update.skipped).toHaveLength(STUDENTS - 1);
    const copy = join(hub.courseDir, 'submitted', student(300), 'ps1');
    expect(readFileSync(join(copy, 'p1.ipynb'), 'utf8')).toBe('{"answer": "second"}');
    expect(readFileSync(join(copy, 'timestamp.txt'), 'utf8')).toBe(`${newer} UTC`);
    expect(readdirSync(join(hub.courseDir, 'submitted', student(300)))).toEqual(['ps1']);
  });

  it('copies the files when the course directory is on another file system', async () => {
    const elsewhere = join(hub.root, 'tmpfs-course');
    mkdirSync(elsewhere);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', elsewhere]);
    try {
      await hub.courses.create({ id: 'apart101', directory: elsewhere });
      await hub.courses.enroll('apart101', [{ name: PROF, role: 'instructor' }]);
      await submitAs('apart1', '{"answer": "apart"}', 'apart101');
      const result = await hub.exchange.collect('apart101', 'ps1', prof);
      expect(result.collected.map((c) => c.student)).toEqual(['apart1']);
      const collected = join(elsewhere, 'submitted', 'apart1', 'ps1', 'p1.ipynb');
      const kept = join(area.root, folders.get('apart1')!, 'p1.ipynb');
      expect(statSync(collected).dev).not.toBe(statSync(kept).dev);
      expect(statSync(collected).nlink).toBe(1);
      expect(readFileSync(collected, 'utf8')).toBe('{"answer": "apart"}');
      expect(readFileSync(join(elsewhere, 'submitted', 'apart1', 'ps1', 'data', 'names.csv'), 'utf8')).toBe(
        'apart1,1\n',
      );
    } finally {
      execFileSync('umount', [elsewhere]);
    }
  });
});
