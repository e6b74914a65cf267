// The seed's set-up at `coursehub start` (issue 12, item 1): COURSE_NAME and COURSE_HOME in the
// environment with instructors.csv and students.csv make one course with those roles, without a
// warning about the variables; and a start sweeps what a killed exchange operation left in
// DATA_DIR/exchange (a partial folder, a complete one no row records), keeping recorded ones.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub } from '../../src/app/start.js';
import { stopProxy } from '../../src/hub/proxy/lifecycle.js';
import { removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { freePort } from '../support/postgres.js';

const COURSE = 'seedstart101';
const dir = mkdtempSync(join(tmpdir(), 'coursehub-seed-start-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeCourseGroup(COURSE).catch(() => undefined);
});

describe("the seed's course at start", () => {
  it('is made from COURSE_NAME, COURSE_HOME and the roster files; a start sweeps the exchange area', async () => {
    const dataDir = join(dir, 'data');
    const csv = (name: string, rows: string) => {
      writeFileSync(join(dir, name), `id,first_name,last_name,email\n${rows}`);
      return join(dir, name);
    };
    const configFile = join(dir, 'coursehub.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        hub: { dataDir, port: await freePort(), hubPort: await freePort() },
        proxy: { apiPort: await freePort() },
        users: {
          instructors: csv('instructors.csv', 'prof,Pat,Prof,pat@example.org\n'),
          students: csv('students.csv', 'amy,Amy,Pond,amy@example.org\n'),
        },
        spawner: { network: { policy: 'none' } },
        log: { level: 'silent' },
      }),
    );
    const env = { COURSE_NAME: COURSE, COURSE_HOME: join(dir, 'course-home') };
    try {
      const first = await startHub({ configFile, env, print: () => {} });
      try {
        const { courses } = first.services;
        expect((await courses.require(COURSE)).directory).toBe(join(dir, 'course-home'));
        expect((await courses.members(COURSE)).map((m) => `${m.userName}:${m.role}`)).toEqual([
          'amy:student',
          'prof:instructor',
        ]);
        expect(existsSync(join(dir, 'course-home', 'release'))).toBe(true);
      } finally {
        await first.stop();
      }
      const area = join(dataDir, 'exchange', COURSE, 'submissions', 'amy', 'ps1');
      mkdirSync(join(area, '20261203T150000.000000Z-dead'), { recursive: true });
      writeFileSync(join(area, '20261203T150000.000000Z-dead', 'p1.ipynb'), '{}');
      mkdirSync(join(area, '.20261203T150001.000000Z-beef.partial-1234'));
      const second = await startHub({ configFile, env, print: () => {} });
      await second.stop();
      expect(existsSync(join(area, '20261203T150000.000000Z-dead'))).toBe(false);
      expect(existsSync(join(area, '.20261203T150001.000000Z-beef.partial-1234'))).toBe(false);
    } finally {
      await stopProxy(dataDir);
    }
  }, 60_000);
});
