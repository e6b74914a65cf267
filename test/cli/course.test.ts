// `coursehub course create` and `coursehub course enroll`, run in this process with the command
// modules the CLI registers, on a SQLite hub database in a temporary data directory.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerCourseCommand } from '../../src/cli/course.js';
import { connectDatabase } from '../../src/db/database.js';
import { CourseStores } from '../../src/db/stores/course-stores.js';
import { CourseService } from '../../src/exchange/courses/course-service.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-cli-course-'));
const dataDir = join(dir, 'data');
const COURSE = 'chx-cli101';
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeCourseGroup(COURSE).catch(() => undefined);
});

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
});
afterEach(() => vi.restoreAllMocks());

async function coursehub(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerCourseCommand(program);
  await program.parseAsync(['node', 'coursehub', ...args]);
  return printed.splice(0).join('\n');
}

function csv(name: string, rows: string): string {
  const file = join(dir, name);
  writeFileSync(file, `id,first_name,last_name,email\n${rows}`);
  return file;
}

describe('coursehub course', () => {
  it('creates a course with a title and a directory, then enrolls people from CSV files', async () => {
    const courseDir = join(dir, 'cli101');
    expect(
      await coursehub(
        'course',
        'create',
        COURSE,
        '--title',
        'CLI 101',
        '--dir',
        courseDir,
        '--data-dir',
        dataDir,
      ),
    ).toBe(`created course ${COURSE} (CLI 101) in ${courseDir}`);
    expect(existsSync(join(courseDir, 'source'))).toBe(true);

    const out = await coursehub(
      'course',
      'enroll',
      COURSE,
      '--instructors',
      csv('i.csv', 'prof,Pat,Prof,\n'),
      '--students',
      csv('s.csv', 'amy,Amy,Pond,\nrory,,,\n'),
      '--data-dir',
      dataDir,
    );
    expect(out).toBe(
      'users created: 3 (prof, amy, rory)\ninstructors: 1 (prof)\ngraders: 0\nstudents: 2 (amy, rory)',
    );
    const handle = await connectDatabase({ url: join(dataDir, 'coursehub.sqlite') });
    try {
      const courses = new CourseService(new CourseStores(handle.db), { dataDir, unixGroups: false });
      expect((await courses.members(COURSE)).map((m) => `${m.userName}:${m.role}`)).toEqual([
        'amy:student',
        'prof:instructor',
        'rory:student',
      ]);
    } finally {
      await handle.close();
    }
  });

  it('refuses an unknown course and an enroll with no file', async () => {
    await expect(
      coursehub('course', 'enroll', 'nope101', '--students', csv('x.csv', 'a,,,\n'), '--data-dir', dataDir),
    ).rejects.toThrow('There is no course "nope101".');
    await expect(coursehub('course', 'enroll', COURSE, '--data-dir', dataDir)).rejects.toThrow(
      'Nobody to enroll.',
    );
  });
});
