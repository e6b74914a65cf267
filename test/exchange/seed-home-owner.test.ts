// A seed's COURSE_HOME that exists already keeps its owner and mode (issue 12): `coursehub start`
// gives the course group only the folders it makes itself (the missing step folders), never the
// seed's own folder or what is in it. When the course group cannot share the existing folder, the
// start says so, with the commands that would fix it; a COURSE_HOME coursehub made gets no such
// message.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub } from '../../src/app/start.js';
import { stopProxy } from '../../src/hub/proxy/lifecycle.js';
import { lookupGroup, removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { freePort } from '../support/postgres.js';

const COURSE = 'seedhome101';
const OWNER = 4321;
const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'coursehub-seed-home-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await removeCourseGroup(COURSE).catch(() => undefined);
});

async function start(home: string): Promise<string[]> {
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'coursehub.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      hub: { dataDir, port: await freePort(), hubPort: await freePort() },
      proxy: { apiPort: await freePort() },
      spawner: { network: { policy: 'none' } },
      log: { level: 'silent' },
    }),
  );
  const printed: string[] = [];
  try {
    const hub = await startHub({
      configFile,
      env: { COURSE_NAME: COURSE, COURSE_HOME: home },
      print: (line) => printed.push(line),
    });
    await hub.stop();
  } finally {
    await stopProxy(dataDir);
  }
  return printed;
}

const ownerAndMode = (path: string) => {
  const info = statSync(path);
  return { uid: info.uid, gid: info.gid, mode: (info.mode & 0o7777).toString(8) };
};

describe.runIf(isRoot)('an existing COURSE_HOME at start', () => {
  it('keeps its owner and mode; the start says how to share it with the course group', async () => {
    const home = join(dir, "someone's course");
    mkdirSync(join(home, 'source', 'ps1'), { recursive: true });
    writeFileSync(join(home, 'source', 'ps1', 'p1.ipynb'), '{}');
    for (const path of [home, join(home, 'source'), join(home, 'source', 'ps1')]) {
      chownSync(path, OWNER, OWNER);
      chmodSync(path, 0o755);
    }
    chownSync(join(home, 'source', 'ps1', 'p1.ipynb'), OWNER, OWNER);
    chmodSync(join(home, 'source', 'ps1', 'p1.ipynb'), 0o644);
    const before = [home, join(home, 'source'), join(home, 'source', 'ps1', 'p1.ipynb')].map(ownerAndMode);

    const printed = await start(home);

    const after = [home, join(home, 'source'), join(home, 'source', 'ps1', 'p1.ipynb')].map(ownerAndMode);
    expect(after).toEqual(before);
    // The step folders it made are the course group's, setgid and group-writable.
    const group = (await lookupGroup(`ch-${COURSE}`))!;
    expect(ownerAndMode(join(home, 'release'))).toEqual({ uid: 0, gid: group.gid, mode: '2770' });
    const quoted = `'${dir}/someone'\\''s course'`;
    expect(printed).toContainEqual(
      `coursehub: ${home} (COURSE_HOME of ${COURSE}) keeps its owner and mode, and the course's instructors and graders cannot share it. ` +
        `To let them: chgrp -R ch-${COURSE} ${quoted} && chmod -R g+rwX ${quoted} && find ${quoted} -type d -exec chmod g+s {} +`,
    );
  }, 60_000);

  it('a COURSE_HOME that coursehub makes is the course group’s, and nothing is said', async () => {
    const home = join(dir, 'made-by-coursehub');
    const printed = await start(home);
    const group = (await lookupGroup(`ch-${COURSE}`))!;
    expect(ownerAndMode(home)).toEqual({ uid: 0, gid: group.gid, mode: '2770' });
    expect(printed.filter((line) => line.includes('keeps its owner and mode'))).toEqual([]);
  }, 60_000);
});
