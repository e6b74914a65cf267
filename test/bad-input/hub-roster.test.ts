// Bad roster input (issue 17, item 3): the same id in both files, ids that are system accounts or
// accounts coursehub did not make, and prunes that would remove more than a tenth of a role
// (a students.csv with only its header). Each is refused with a message that names the files,
// lines or users, and nothing in the database changes; a confirmed prune names whom it removed.
// Entrances: `coursehub users import`, the REST API, the admin console, and the import at start.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { startHub } from '../../src/app/start.js';
import { registerUsersCommand } from '../../src/cli/users.js';
import { connectDatabase } from '../../src/db/database.js';
import { stopProxy } from '../../src/hub/proxy/lifecycle.js';
import { ensureUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { CoursehubError } from '../../src/util/errors.js';
import { startApiTestHub, type ApiTestHub } from '../hub/api/api-app.js';
import { Browser, startTestHub, type TestHub } from '../hub/auth/hub-fixture.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { freePort } from '../support/postgres.js';
import { removeEgressTable, testEgressTable } from '../support/egress-table.js';

const dir = mkdtempSync(join(tmpdir(), 'coursehub-bad-roster-'));
const HEADER = 'id,first_name,last_name,email\n';
let counter = 0;
function csv(name: string, rows: string): string {
  const file = join(dir, `${counter++}-${name}`);
  writeFileSync(file, HEADER + rows);
  return file;
}
const rows = (names: string[]) => names.map((n) => `${n},${n},X,\n`).join('');

/** Accounts made for this file: one coursehub would make, two it did not. */
const MADE_BY_COURSEHUB = 'chro_made';
const FOREIGN = 'chro_foreign';
const UNMARKED = 'chro_unmarked';

beforeAll(async () => {
  for (const name of [MADE_BY_COURSEHUB, FOREIGN, UNMARKED]) removeUnixAccount(name);
  await ensureUnixAccount(MADE_BY_COURSEHUB, '/home');
  execFileSync('useradd', ['--no-create-home', '--home-dir', join(dir, 'foreign-home'), FOREIGN]);
  // Home under /home like coursehub's, but without coursehub's marker: not coursehub's either.
  execFileSync('useradd', ['--no-create-home', '--home-dir', `/home/${UNMARKED}`, UNMARKED]);
});
afterAll(() => {
  for (const name of [MADE_BY_COURSEHUB, FOREIGN, UNMARKED]) removeUnixAccount(name);
  rmSync(dir, { recursive: true, force: true });
});

describe('coursehub users import', () => {
  const dataDir = join(dir, 'cli-data');
  let printed: string[] = [];
  beforeEach(() => {
    printed = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  async function coursehub(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerUsersCommand(program);
    await program.parseAsync(['node', 'coursehub', 'users', 'import', ...args, '--data-dir', dataDir]);
    return printed.splice(0).join('\n');
  }

  async function userRows() {
    const handle = await connectDatabase({ url: join(dataDir, 'coursehub.sqlite') });
    try {
      return await handle.db.selectFrom('users').selectAll().orderBy('name').execute();
    } finally {
      await handle.close();
    }
  }

  /** The import must fail with a CoursehubError whose text matches, changing no row. */
  async function refused(args: string[], ...messages: (string | RegExp)[]): Promise<string> {
    const before = await userRows();
    const error = await coursehub(...args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoursehubError);
    const text = (error as CoursehubError).describe();
    for (const message of messages)
      if (typeof message === 'string') expect(text).toContain(message);
      else expect(text).toMatch(message);
    expect(await userRows()).toEqual(before);
    return text;
  }

  const students = Array.from({ length: 10 }, (_, i) => `stud${i}`);

  beforeAll(async () => {
    mkdirSync(dataDir);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await coursehub(
      '--instructors',
      csv('instructors.csv', rows(['prof'])),
      '--students',
      csv('students.csv', rows(students)),
    );
    vi.restoreAllMocks();
  });

  it('refuses an id in both files, naming both files and lines', async () => {
    const instructors = csv('instructors.csv', rows(['prof', 'amy']));
    const both = csv('students.csv', rows(['zed', 'amy', ...students]));
    await refused(
      ['--instructors', instructors, '--students', both],
      `amy is in both files: ${instructors}:3 and ${both}:3`,
      'keep each id in one of the two files',
    );
  });

  it.each([
    ['root', '"root" is the name of a system account'],
    ['nobody', '"nobody" is the name of a system account'],
    ['coursehub-grader', '"coursehub-grader" is the name of a system account'],
    ['daemon', '"daemon" is the name of a system account'],
    [FOREIGN, `"${FOREIGN}" is an existing Unix account that coursehub did not create`],
    [UNMARKED, `"${UNMARKED}" is an existing Unix account that coursehub did not create`],
  ])('refuses the id %s, naming the file and line', async (id, reason) => {
    const file = csv('students.csv', rows([...students.slice(0, 3), id, ...students.slice(3)]));
    await refused(['--students', file], `${file}:5: ${reason}`, 'rename these users');
  });

  it('accepts an id whose account coursehub made', async () => {
    const file = csv('students.csv', rows([...students, MADE_BY_COURSEHUB]));
    expect(await coursehub('--students', file)).toContain(`created: 1 (${MADE_BY_COURSEHUB})`);
  });

  it('refuses a prune by a header-only students.csv, naming every student it would remove', async () => {
    const empty = csv('students.csv', '');
    await refused(
      ['--students', empty, '--prune'],
      `The import would remove 11 of 11 students (${[MADE_BY_COURSEHUB, ...students].sort().join(', ')}), which empties the role; nothing was changed.`,
      '--prune --yes',
    );
  });

  it('refuses a prune of more than a tenth without --yes, and with --yes removes them and says whom', async () => {
    const most = csv('students.csv', rows(students.slice(2)));
    await refused(
      ['--students', most, '--prune'],
      /would remove 3 of 11 students \(chro_made, stud0, stud1\), more than a tenth of them/,
    );
    const output = await coursehub('--students', most, '--prune', '--yes');
    expect(output).toContain('removed: 3 (chro_made, stud0, stud1)');
    expect((await userRows()).map((u) => u.name)).toEqual(['prof', ...students.slice(2)]);
  });

  it('prunes a tenth or less without asking, and says whom', async () => {
    await coursehub('--students', csv('students.csv', rows(students)));
    const output = await coursehub('--students', csv('students.csv', rows(students.slice(1))), '--prune');
    expect(output).toContain('removed: 1 (stud0)');
  });
});

describe('the REST API and the admin console', () => {
  let api: ApiTestHub;
  let admin: Record<string, string>;
  beforeAll(async () => {
    api = await startApiTestHub();
    await api.users.create({ name: 'boss', admin: true });
    await api.users.create({ name: 'amy' });
    admin = await api.tokenHeaders('boss');
  });
  afterAll(async () => api?.close());

  async function userNames() {
    return (await api.users.list()).users.map((u) => u.name);
  }

  it.each([
    ['POST', '/hub/api/users', { usernames: ['fine1', 'root'] }, 'root', 'the name of a system account'],
    ['POST', '/hub/api/users/nobody', {}, 'nobody', 'the name of a system account'],
    [
      'POST',
      `/hub/api/users/${FOREIGN}`,
      {},
      FOREIGN,
      'an existing Unix account that coursehub did not create',
    ],
    [
      'PATCH',
      '/hub/api/users/amy',
      { name: 'coursehub-grader' },
      'coursehub-grader',
      'the name of a system account',
    ],
  ])('%s %s refuses the name with a 400 and changes nothing', async (method, url, body, name, reason) => {
    const before = await userNames();
    const response = await api.app.inject({
      method: method as 'POST',
      url,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain(`Invalid username: "${name}" is ${reason}`);
    expect(await userNames()).toEqual(before);
  });
});

describe('the admin console', () => {
  let hub: TestHub;
  let browser: Browser;
  const students = Array.from({ length: 5 }, (_, i) => `kid${i}`);

  beforeAll(async () => {
    hub = await startTestHub(
      { auth: { authenticator: 'dummy' } },
      { users: [{ name: 'prof', admin: true }] },
    );
    await hub.services.rosters.importFiles({ students: csv('students.csv', rows(students)) });
    browser = new Browser(hub.app);
    expect((await browser.login('prof', 'any')).statusCode).toBe(302);
  });
  afterAll(async () => hub?.close());

  async function names() {
    return (await hub.services.users.list()).users.map((u) => u.name);
  }

  /** Posts the import form (multipart), as the console's form does. */
  async function postImport(fields: Record<string, string>, files: Record<string, string> = {}) {
    const csrf = Browser.xsrfOf((await browser.request({ url: '/hub/admin' })).body);
    const form = new FormData();
    form.set('_xsrf', csrf);
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    for (const [name, text] of Object.entries(files)) form.set(name, new Blob([text]), `${name}.csv`);
    const request = new Request('http://hub/hub/admin/import', { method: 'POST', body: form });
    return browser.request({
      method: 'POST',
      url: '/hub/admin/import',
      headers: { 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
  }

  it('adding the user "root" is refused with the reason, and nobody is added', async () => {
    const before = await names();
    const csrf = Browser.xsrfOf((await browser.request({ url: '/hub/admin' })).body);
    const page = await browser.request({
      url: '/hub/admin/users/add',
      form: { _xsrf: csrf, usernames: 'newbie root' },
    });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Invalid username: &quot;root&quot; is the name of a system account');
    expect(await names()).toEqual(before);
  });

  it('a large prune shows whom it would remove and changes nothing until confirmed', async () => {
    const before = await names();
    const page = await postImport({ prune: '1' }, { students: HEADER + rows(students.slice(3)) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Remove these users?');
    expect(page.body).toContain('The import removes 3 of 5 students');
    for (const name of students.slice(0, 3)) expect(page.body).toContain(`data-removed="${name}"`);
    expect(await names()).toEqual(before);

    const returned = /name="students_base64" value="([^"]+)"/.exec(page.body)![1]!;
    const confirmed = await postImport({ prune: '1', confirm: 'yes', students_base64: returned });
    expect(confirmed.statusCode).toBe(303);
    const flash = new URL(String(confirmed.headers.location), 'http://hub').searchParams.get('subject');
    expect(flash).toContain('removed: kid0, kid1, kid2');
    expect(await names()).toEqual(['kid3', 'kid4', 'prof']);
  });
});

describe('the roster import at start (users.prune)', () => {
  it('refuses to start when the prune would empty the students, and changes nothing', async () => {
    const folder = join(dir, 'start');
    mkdirSync(folder);
    const dataDir = join(folder, 'data');
    const studentsFile = join(folder, 'students.csv');
    writeFileSync(studentsFile, HEADER + rows(['ann', 'ben']));
    const configFile = join(folder, 'coursehub.json');
    const egressTable = testEgressTable('roster');
    onTestFinished(() => removeEgressTable(egressTable));
    writeFileSync(
      configFile,
      JSON.stringify({
        hub: { dataDir, port: await freePort(), hubPort: await freePort() },
        proxy: { apiPort: await freePort() },
        spawner: { network: { table: egressTable } },
        users: { students: studentsFile, prune: true },
        log: { level: 'silent' },
      }),
    );
    try {
      const first = await startHub({ configFile, env: {}, print: () => {} });
      await first.stop();
      writeFileSync(studentsFile, HEADER);
      const error = await startHub({ configFile, env: {}, print: () => {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CoursehubError);
      expect((error as CoursehubError).describe()).toContain(
        'The import would remove 2 of 2 students (ann, ben), which empties the role; nothing was changed.',
      );
      const handle = await connectDatabase({ url: join(dataDir, 'coursehub.sqlite') });
      try {
        const left = await handle.db
          .selectFrom('users')
          .select('name')
          .where('roster', '=', 'students')
          .execute();
        expect(left.map((u) => u.name).sort()).toEqual(['ann', 'ben']);
      } finally {
        await handle.close();
      }
    } finally {
      await stopProxy(dataDir);
    }
  }, 60_000);
});
