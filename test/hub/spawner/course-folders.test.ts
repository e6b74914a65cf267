// Instructors work in their own Jupyter server (issue 12, item 2): real jupyter-notebook servers
// under bubblewrap, real Unix accounts and a real course group. Two instructors' servers see the
// course directory at ~/COURSE and share what they make in it; a student's server sees nothing of
// it and cannot reach it by its path.
import { mkdirSync, mkdtempSync, chmodSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareCourseFolder } from '../../../src/exchange/courses/course-folder.js';
import {
  LocalProcessSpawner,
  type CourseFolder,
  type LocalProcessSpawnerOptions,
} from '../../../src/hub/spawner/local-process-spawner.js';
import {
  ensureCourseGroup,
  removeCourseGroup,
  type CourseGroup,
} from '../../../src/sandbox/course-groups.js';
import { runCodeOnServer } from './run-code.js';
import { removeUnixAccount } from './test-accounts.js';

const ALICE = 'chcf_alice';
const BOB = 'chcf_bob';
const STUDENT = 'chcf_student';
const CAROL = 'chcf_carol';
const COURSE = `cf${process.pid}`;

let root: string;
let courseDir: string;
let group: CourseGroup;
const started: LocalProcessSpawner[] = [];

function options(sandbox: LocalProcessSpawnerOptions['sandbox'] = 'bubblewrap'): LocalProcessSpawnerOptions {
  return {
    command: ['/usr/bin/jupyter-notebook'],
    args: [
      '--NotebookApp.base_url={base_url}',
      '--ip=127.0.0.1',
      '--port={port}',
      '--NotebookApp.port_retries=0',
      '--no-browser',
      '--notebook-dir={home}',
    ],
    homeRoot: join(root, 'homes'),
    sandbox,
    environment: {},
    memoryLimitMb: 512,
    cpuLimit: 1,
    processLimit: 256,
    logDir: join(root, 'logs'),
    log: pino({ level: 'silent' }),
    // As src/app/services.ts answers: the course for its instructors, nothing for anyone else.
    courseFolders: async (user): Promise<CourseFolder[]> =>
      user === ALICE || user === BOB || user === CAROL
        ? [{ course: COURSE, directory: courseDir, gid: group.gid }]
        : [],
  };
}

async function startServer(user: string, sandbox: LocalProcessSpawnerOptions['sandbox'] = 'bubblewrap') {
  const spawner = new LocalProcessSpawner(user, '', options(sandbox));
  started.push(spawner);
  const server = await spawner.start({
    userName: user,
    serverName: '',
    baseUrl: `/user/${user}/`,
    hubEnv: { JUPYTERHUB_USER: user },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(new URL('api/status', server.url), {
      headers: { Authorization: `token ${server.token}` },
    })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${user}'s server never answered`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const contents = (path: string, init: RequestInit = {}) =>
    fetch(new URL(`api/contents/${path}`, server.url), {
      ...init,
      headers: { Authorization: `token ${server.token}`, 'Content-Type': 'application/json' },
    });
  return { server, contents, run: (code: string) => runCodeOnServer(server.url, server.token, code) };
}

const putText = (text: string) => ({
  method: 'PUT',
  body: JSON.stringify({ type: 'file', format: 'text', content: text }),
});

beforeAll(async () => {
  for (const name of [ALICE, BOB, STUDENT, CAROL]) removeUnixAccount(name);
  root = mkdtempSync(join(tmpdir(), 'coursehub-course-folders-'));
  chmodSync(root, 0o755);
  // As DATA_DIR/courses/ID: below a root-only data directory no account can traverse.
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  courseDir = join(dataDir, 'courses', COURSE);
  group = await ensureCourseGroup(COURSE);
  await prepareCourseFolder(courseDir, group);
});

afterAll(async () => {
  for (const spawner of started) await spawner.stop();
  for (const name of [ALICE, BOB, STUDENT, CAROL]) removeUnixAccount(name);
  await removeCourseGroup(COURSE);
  rmSync(root, { recursive: true, force: true });
});

describe("an instructor's server and the course directory", () => {
  it('instructor A writes in ~/COURSE/source, B reads and changes it, a student cannot see or reach it', async () => {
    const alice = await startServer(ALICE);
    const bob = await startServer(BOB);
    const student = await startServer(STUDENT);

    // A makes a folder and a file through Jupyter, as in the notebook's file browser.
    const folder = await alice.contents(`${COURSE}/source/week1`, {
      method: 'PUT',
      body: JSON.stringify({ type: 'directory' }),
    });
    expect(folder.status).toBe(201);
    const made = await alice.contents(`${COURSE}/source/week1/notes.txt`, putText('from alice\n'));
    expect(made.status).toBe(201);

    // On the host: in the course directory itself, kept in the course group, group-writable.
    const onHost = join(courseDir, 'source', 'week1', 'notes.txt');
    expect(readFileSync(onHost, 'utf8')).toBe('from alice\n');
    const stat = statSync(onHost);
    expect(stat.gid).toBe(group.gid);
    expect(stat.mode & 0o070).toBe(0o060);
    expect(stat.mode & 0o007).toBe(0);
    const folderStat = statSync(join(courseDir, 'source', 'week1'));
    expect(folderStat.gid).toBe(group.gid);
    expect(folderStat.mode & 0o2070).toBe(0o2070);

    // B reads it and changes it, through Jupyter and from a kernel.
    const read = await bob.contents(`${COURSE}/source/week1/notes.txt?type=file&format=text`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { content: string }).content).toBe('from alice\n');
    expect((await bob.contents(`${COURSE}/source/week1/notes.txt`, putText('changed by bob\n'))).status).toBe(
      200,
    );
    expect(
      await bob.run(
        `import os\nwith open(os.path.expanduser('~/${COURSE}/source/week1/notes.txt'), 'a') as f: f.write('and more\\n')\nprint('ok')`,
      ),
    ).toContain('ok');
    expect(readFileSync(onHost, 'utf8')).toBe('changed by bob\nand more\n');
    // ... and A can still change what B saved.
    expect((await alice.contents(`${COURSE}/source/week1/notes.txt`, putText('alice again\n'))).status).toBe(
      200,
    );

    // The student's server: no ~/COURSE, and the real path is refused.
    expect((await student.contents(COURSE)).status).toBe(404);
    const attempt = await student.run(
      [
        'import os',
        `print('home has it:', os.path.exists(os.path.expanduser('~/${COURSE}')))`,
        'for path in [' + JSON.stringify(courseDir) + ', ' + JSON.stringify(onHost) + ']:',
        '    try:',
        '        open(path).read() if path.endswith(".txt") else os.listdir(path)',
        "        print('READ', path)",
        '    except OSError as e:',
        "        print('refused', type(e).__name__)",
      ].join('\n'),
    );
    expect(attempt).toContain('home has it: False');
    expect(attempt).not.toContain('READ');
    expect(attempt.match(/refused/g)).toHaveLength(2);
  }, 120_000);

  it('without bubblewrap the server gets no course directory (nothing to bind with), and the course directory is untouched', async () => {
    const carol = await startServer(CAROL, 'none');
    expect((await carol.contents(COURSE)).status).toBe(404);
    const course = statSync(courseDir);
    expect([course.uid, course.gid, course.mode & 0o7777]).toEqual([0, group.gid, 0o2770]);
    const attempt = await carol.run(
      `import os\ntry:\n    os.listdir(${JSON.stringify(courseDir)}); print('READ')\nexcept OSError as e:\n    print('refused', type(e).__name__)`,
    );
    expect(attempt).toContain('refused');
  }, 120_000);
});
