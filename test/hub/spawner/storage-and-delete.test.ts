// What the spawner contract gained for the exchange and for removing users, on the local spawner
// with real Unix accounts (as root): the user's storage, read and written as the user whether or
// not their server runs; "delete forever", which removes only what coursehub made; user options,
// of which the local spawner takes none.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnerSection } from '../../../src/config/schema.js';
import { UserOptionsError } from '../../../src/hub/spawner/errors.js';
import {
  LocalProcessSpawner,
  type LocalProcessSpawnerOptions,
} from '../../../src/hub/spawner/local-process-spawner.js';
import { REMOVED_HOMES_FOLDER } from '../../../src/sandbox/home-archive.js';
import { lookupUnixAccount } from '../../../src/sandbox/unix-accounts.js';
import { removeUnixAccount } from './test-accounts.js';

const CAROL = 'chsp_carol';
const DAVE = 'chsp_dave';
const ERIN = 'chsp_erin';
const isRoot = process.getuid?.() === 0;
let root: string;

function spawner(user: string, serverName = ''): LocalProcessSpawner {
  const options: LocalProcessSpawnerOptions = {
    ...spawnerSection.parse({}).local,
    homeRoot: join(root, 'homes'),
    environment: {},
    memoryLimitMb: 512,
    cpuLimit: 1,
    processLimit: 256,
    logDir: join(root, 'logs'),
    log: pino({ level: 'silent' }),
  };
  return new LocalProcessSpawner(user, serverName, options);
}

describe.runIf(isRoot)('the local spawner’s storage, delete forever and user options', () => {
  beforeAll(() => {
    for (const user of [CAROL, DAVE, ERIN]) removeUnixAccount(user);
    root = mkdtempSync(join(tmpdir(), 'coursehub-spawner-storage-'));
    chmodSync(root, 0o755);
  });
  afterAll(() => {
    for (const user of [CAROL, DAVE, ERIN]) removeUnixAccount(user);
    rmSync(root, { recursive: true, force: true });
  });

  it('reads and writes the user’s files as the user while no server runs', async () => {
    const carol = spawner(CAROL);
    expect(await carol.poll()).not.toBeNull(); // never started
    await carol.storage.writeFile('course/ps1/problem1.ipynb', '{}');
    const account = (await lookupUnixAccount(CAROL))!;
    expect(statSync(join(account.home, 'course/ps1/problem1.ipynb')).uid).toBe(account.uid);
    expect((await carol.storage.readFile('course/ps1/problem1.ipynb')).toString()).toBe('{}');
    expect((await carol.storage.listFolder('course')).map((e) => e.name)).toEqual(['ps1']);
  });

  it('refuses user options it does not know, before making anything', async () => {
    const erin = spawner(ERIN);
    const start = erin.start({
      userName: ERIN,
      serverName: '',
      baseUrl: `/user/${ERIN}/`,
      hubEnv: {},
      userOptions: { image: 'quay.io/jupyter/scipy-notebook' },
    });
    await expect(start).rejects.toBeInstanceOf(UserOptionsError);
    await expect(start).rejects.toThrow(/takes no user options.*"image"/);
    expect(await lookupUnixAccount(ERIN)).toBeUndefined();
  });

  it('deletes forever: stops the server, removes the account it made and archives its home', async () => {
    const carol = spawner(CAROL);
    const server = await carol.start({
      userName: CAROL,
      serverName: '',
      baseUrl: `/user/${CAROL}/`,
      hubEnv: {},
      userOptions: {},
    });
    const pid = carol.pid()!;
    const home = (await lookupUnixAccount(CAROL))!.home;
    // A named server shares the user's home: deleting it forever leaves the home.
    await spawner(CAROL, 'extra').deleteForever();
    expect(existsSync(home)).toBe(true);

    await carol.deleteForever();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(new URL('api', server.url))).rejects.toThrow();
    expect(await lookupUnixAccount(CAROL)).toBeUndefined();
    expect(existsSync(home)).toBe(false);
    // Archived, root-only, with her files.
    const archive = join(root, 'homes', REMOVED_HOMES_FOLDER);
    expect(statSync(archive).mode & 0o777).toBe(0o700);
    const [archived] = readdirSync(archive).filter((name) => name.startsWith(`${CAROL}-`));
    expect(readFileSync(join(archive, archived!, 'course/ps1/problem1.ipynb'), 'utf8')).toBe('{}');
    await carol.deleteForever(); // nothing left: nothing to do
  });

  it('never hands a home left behind without its account to a new account of that name', async () => {
    const fresh = spawner(CAROL);
    await fresh.storage.writeFile('notes.txt', 'old');
    const home = (await lookupUnixAccount(CAROL))!.home;
    execFileSync('userdel', [CAROL]); // as an admin might: the account goes, its home stays
    expect(existsSync(join(home, 'notes.txt'))).toBe(true);
    expect((await spawner(CAROL).storage.listFolder()).map((entry) => entry.name)).not.toContain('notes.txt');
    const archive = join(root, 'homes', REMOVED_HOMES_FOLDER);
    const kept = readdirSync(archive).filter((name) => existsSync(join(archive, name, 'notes.txt')));
    expect(kept).toHaveLength(1);
  });

  it('leaves an account coursehub did not make alone, home and all', async () => {
    const home = join(root, 'homes', DAVE);
    execFileSync('useradd', ['--create-home', '--home-dir', home, '--comment', 'made by the admin', DAVE]);
    await spawner(DAVE).deleteForever();
    expect(await lookupUnixAccount(DAVE)).toBeDefined();
    expect(existsSync(home)).toBe(true);
  });
});
