// The Unix accounts a hub in a container makes outlive the container: the hub copies the account
// database after each change (COURSEHUB_ACCOUNTS_COPY), and the image's entry point
// (share/docker/hub-entrypoint.sh) adds the copied entries to a new container's /etc. Here on this
// machine's real /etc (as root, with useradd), and the entry point on a scratch /etc; the compose
// deployment's test (test/docker/compose-deploy.test.ts) does both in real containers.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveAccountDatabase } from '../../src/sandbox/account-database-copy.js';
import { ensureCourseGroup, removeCourseGroup } from '../../src/sandbox/course-groups.js';
import { ensureUnixAccount, removeUnixAccount } from '../../src/sandbox/unix-accounts.js';

const ENTRYPOINT = resolve(import.meta.dirname, '../../share/docker/hub-entrypoint.sh');
const USER = 'chacc_ida';
const COURSE = 'chacc-course';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'coursehub-accounts-copy-'));
});
afterAll(async () => {
  delete process.env.COURSEHUB_ACCOUNTS_COPY;
  await removeUnixAccount(USER, join(dir, 'homes')).catch(() => undefined);
  await removeCourseGroup(COURSE).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const entryOf = (file: string, name: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${name}:`));

describe('the copy of the account database', () => {
  it('is the four files of /etc, in a folder only root enters', async () => {
    const folder = join(dir, 'plain');
    await saveAccountDatabase(folder);
    for (const file of ['passwd', 'group', 'shadow', 'gshadow'])
      expect(readFileSync(join(folder, file), 'utf8')).toBe(readFileSync(join('/etc', file), 'utf8'));
    expect(spawnSync('stat', ['-c', '%a', folder], { encoding: 'utf8' }).stdout.trim()).toBe('700');
  });

  it('follows every account and course group the hub makes or removes, when COURSEHUB_ACCOUNTS_COPY is set', async () => {
    const folder = join(dir, 'copy');
    process.env.COURSEHUB_ACCOUNTS_COPY = folder;
    const account = await ensureUnixAccount(USER, join(dir, 'homes'));
    expect(entryOf(join(folder, 'passwd'), USER)).toBe(entryOf('/etc/passwd', USER));
    expect(entryOf(join(folder, 'passwd'), USER)).toContain(`:${account.uid}:${account.gid}:`);
    expect(entryOf(join(folder, 'shadow'), USER)).toBeDefined();
    const group = await ensureCourseGroup(COURSE);
    expect(entryOf(join(folder, 'group'), group.name)).toBe(`${group.name}:x:${group.gid}:`);

    await removeUnixAccount(USER, join(dir, 'homes'));
    await removeCourseGroup(COURSE);
    expect(entryOf(join(folder, 'passwd'), USER)).toBeUndefined();
    expect(entryOf(join(folder, 'group'), group.name)).toBeUndefined();
  });
});

describe("the image's entry point", () => {
  function scratch() {
    const root = mkdtempSync(join(dir, 'entry-'));
    for (const sub of ['etc', 'copy', 'bin']) mkdirSync(join(root, sub));
    // The image's own accounts (a new container's /etc) ...
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n',
    );
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nnode:*:19000:0:99999:7:::\n');
    writeFileSync(join(root, 'etc/gshadow'), 'root:*::\nnode:!::\n');
    // ... and the copy an earlier container's hub left on the data volume.
    writeFileSync(
      join(root, 'copy/passwd'),
      'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n' +
        'coursehub-grader:x:999:999::/nonexistent:/usr/sbin/nologin\nada:x:1001:1001:coursehub user:/home/ada:/bin/bash\n',
    );
    writeFileSync(
      join(root, 'copy/group'),
      'root:x:0:\nnode:x:1000:\ncoursehub-grader:x:999:\nada:x:1001:\nch-c1:x:1002:\n',
    );
    writeFileSync(join(root, 'copy/shadow'), 'root:*:19000:0:99999:7:::\nada:!:20000:0:99999:7:::\n');
    writeFileSync(join(root, 'copy/gshadow'), 'ada:!::\nch-c1:!::\n');
    // `coursehub` itself: records how it was called.
    writeFileSync(join(root, 'bin/coursehub'), `#!/bin/sh\necho "$@" > ${join(root, 'ran')}\n`);
    chmodSync(join(root, 'bin/coursehub'), 0o755);
    const run = () =>
      spawnSync('sh', [ENTRYPOINT, 'start', '--port', '443'], {
        encoding: 'utf8',
        env: {
          PATH: `${join(root, 'bin')}:/usr/bin:/bin`,
          COURSEHUB_ETC: join(root, 'etc'),
          COURSEHUB_ACCOUNTS_COPY: join(root, 'copy'),
        },
      });
    return { root, run, read: (file: string) => readFileSync(join(root, file), 'utf8') };
  }

  it("adds the copy's entries the image lacks, keeps the image's own, then runs coursehub", () => {
    const { run, read } = scratch();
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('restored 2 account(s)');
    expect(read('ran').trim()).toBe('start --port 443');
    expect(read('etc/passwd')).toBe(
      'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n' +
        'coursehub-grader:x:999:999::/nonexistent:/usr/sbin/nologin\nada:x:1001:1001:coursehub user:/home/ada:/bin/bash\n',
    );
    expect(read('etc/group')).toBe(
      'root:x:0:\nnode:x:1000:\ncoursehub-grader:x:999:\nada:x:1001:\nch-c1:x:1002:\n',
    );
    expect(read('etc/shadow')).toBe(
      'root:*:19000:0:99999:7:::\nnode:*:19000:0:99999:7:::\nada:!:20000:0:99999:7:::\n',
    );
    expect(read('etc/gshadow')).toBe('root:*::\nnode:!::\nada:!::\nch-c1:!::\n');
    // A restart of the same container: nothing is added twice.
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('restored');
    expect(read('etc/passwd').match(/^ada:/gm)).toHaveLength(1);
  });

  it('stops, naming both, when the image gives a copied uid to an account of its own', () => {
    const { root, run, read } = scratch();
    writeFileSync(join(root, 'etc/passwd'), `${read('etc/passwd')}www:x:1001:33::/var/www:/bin/sh\n`);
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('cannot restore the account "ada": its id 1001 is "www" in this image');
    expect(() => read('ran')).toThrow(); // coursehub never ran
  });

  it('runs coursehub unchanged when there is no copy yet (the first start)', () => {
    const { root, run, read } = scratch();
    rmSync(join(root, 'copy'), { recursive: true });
    const before = read('etc/passwd');
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(read('etc/passwd')).toBe(before);
    expect(read('ran').trim()).toBe('start --port 443');
  });
});
