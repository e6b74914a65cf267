// `coursehub start --demo` shows the sample course (issue 12, item 7 and "Done when"): a real hub
// with the demo, student1 lists their courses and fetches `hello` through the REST API with a
// token, and the notebook is in student1's home; a second start over the same data changes
// nothing (no new release, nobody enrolled again, the instructor's changes kept).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCourse } from '../../src/app/demo.js';
import { startHub, type RunningHub } from '../../src/app/start.js';
import { startRealHub, type RealHub } from '../support/hub.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';

let homes: string;
let hub: RealHub;
let restarted: RunningHub | undefined;

beforeAll(async () => {
  removeUnixAccount('student1');
  removeUnixAccount('instructor');
  homes = mkdtempSync(join(tmpdir(), 'coursehub-demo-homes-'));
  chmodSync(homes, 0o755);
  hub = await startRealHub({ demo: true, config: { spawner: { local: { homeRoot: homes } } } });
}, 120_000);

afterAll(async () => {
  await restarted?.stop();
  await hub?.stop();
  removeUnixAccount('student1');
  removeUnixAccount('instructor');
  rmSync(homes, { recursive: true, force: true });
});

async function api(path: string, token: string, method = 'GET') {
  const response = await fetch(`${hub.url}hub/api/${path}`, {
    method,
    headers: { Authorization: `token ${token}` },
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('the demo shows the sample course', () => {
  it('student1 sees demo101 and fetches hello at once, into their home', async () => {
    const { token } = await hub.hub.services.tokens.create({ user: 'student1' });
    const courses = await api('courses', token);
    expect(courses.status).toBe(200);
    expect(courses.body).toEqual([{ id: 'demo101', title: expect.any(String), role: 'student' }]);

    const listed = await api('courses/demo101', token); // the list: released assignments and their state
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('"hello"');

    const fetched = await api('courses/demo101/assignments/hello/fetch', token, 'POST');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ folder: 'demo101/hello', version: 1, written: ['hello.ipynb'] });
    const notebook = readFileSync(join(homes, 'student1', 'demo101', 'hello', 'hello.ipynb'), 'utf8');
    expect(notebook).toContain('YOUR CODE HERE');
    expect(notebook).not.toContain('BEGIN HIDDEN TESTS');
    expect(hub.printed.join('\n')).toContain('fetch_assignment hello --course demo101');
  }, 120_000);

  it('the instructor teaches demo101; the students are enrolled', async () => {
    const { courses } = hub.hub.services;
    const roles = await Promise.all(
      ['instructor', 'student1', 'student2', 'student3'].map((name) => courses.roleOf('demo101', name)),
    );
    expect(roles).toEqual(['instructor', 'student', 'student', 'student']);
  });

  it("the instructor's own Jupyter server has the course directory at ~/demo101, writable", async () => {
    const { servers } = hub.hub.services;
    await (
      await servers.start('instructor')
    ).ready;
    try {
      const live = servers.readyServers().find((server) => server.userName === 'instructor')!;
      const { url, token } = live.spawner.getState() as { url: string; token: string };
      const contents = (path: string, init: RequestInit = {}) =>
        fetch(new URL(`api/contents/${path}`, url), {
          ...init,
          headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
        });
      const source = await contents('demo101/source/hello');
      expect(source.status).toBe(200);
      const listing = (await source.json()) as { content: { name: string }[] };
      expect(listing.content.map((entry) => entry.name)).toContain('hello.ipynb');
      const made = await contents('demo101/source/hello/notes.txt', {
        method: 'PUT',
        body: JSON.stringify({ type: 'file', format: 'text', content: 'for the other instructors\n' }),
      });
      expect(made.status).toBe(201);
      const course = await hub.hub.services.courses.require('demo101');
      expect(readFileSync(join(course.directory, 'source', 'hello', 'notes.txt'), 'utf8')).toBe(
        'for the other instructors\n',
      );
    } finally {
      await (
        await servers.stop('instructor')
      ).done;
    }
  }, 120_000);

  it('is idempotent across restarts: nothing copied, enrolled or released again; what people changed is kept', async () => {
    const before = hub.hub.services;
    const course = await before.courses.require('demo101');
    const source = join(course.directory, 'source', 'hello', 'hello.ipynb');
    const changed = readFileSync(source, 'utf8').replace('Hello, coursehub', 'Hello, class');
    writeFileSync(source, changed);
    await before.courses.enroll('demo101', [{ name: 'student3', role: 'grader' }]);

    // `coursehub start --demo` again over the same data directory.
    await hub.hub.stop();
    restarted = await startHub({ configFile: hub.configFile, env: {}, demo: true, print: () => undefined });
    const { services } = restarted;
    expect(readFileSync(source, 'utf8')).toBe(changed);
    expect(await services.courses.roleOf('demo101', 'student3')).toBe('grader');
    expect(await services.courses.roleOf('demo101', 'student1')).toBe('student');
    const releases = await services.courseStores.exchange.releases(course.id, 'hello');
    expect(releases.map((r) => r.version)).toEqual([1]);
    expect(await seedDemoCourse(services)).toEqual({ course: 'demo101', copied: [], enrolled: [] });
    expect(readFileSync(join(homes, 'student1', 'demo101', 'hello', 'hello.ipynb'), 'utf8')).toContain(
      'YOUR CODE HERE',
    );
  }, 120_000);
});
