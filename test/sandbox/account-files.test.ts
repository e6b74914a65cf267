// Files of a real account, read, written and listed with that account's rights (as root here, as
// the hub runs): what the user cannot read stays unread, whatever links they place in their home.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountFiles } from '../../src/sandbox/account-files.js';
import { AccountFileError } from '../../src/sandbox/errors.js';
import { ensureUnixAccount, type UnixAccount } from '../../src/sandbox/unix-accounts.js';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';

const USER = 'chsb_files';
const isRoot = process.getuid?.() === 0;
let root: string;
let account: UnixAccount;
let files: AccountFiles;

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccountFileError);
  return (error as AccountFileError).failure;
}

/** A file only root may read, outside the user's home. */
function rootSecret(name: string): string {
  const path = join(root, name);
  writeFileSync(path, 'root-only secret');
  chmodSync(path, 0o600);
  return path;
}

describe.runIf(isRoot)('AccountFiles', () => {
  beforeAll(async () => {
    removeUnixAccount(USER);
    root = mkdtempSync(join(tmpdir(), 'coursehub-account-files-'));
    chmodSync(root, 0o755);
    account = await ensureUnixAccount(USER, join(root, 'homes'));
    files = new AccountFiles(account.home, account);
  });
  afterAll(() => {
    removeUnixAccount(USER);
    rmSync(root, { recursive: true, force: true });
  });

  it('writes as the user (folders made on the way), reads it back and lists it', async () => {
    await files.writeFile('course/ps1/problem1.ipynb', '{"cells": []}');
    const written = join(account.home, 'course/ps1/problem1.ipynb');
    expect(statSync(written).uid).toBe(account.uid);
    expect(statSync(join(account.home, 'course')).uid).toBe(account.uid);
    expect((await files.readFile('course/ps1/problem1.ipynb')).toString()).toBe('{"cells": []}');
    const entries = await files.listFolder('course/ps1');
    expect(entries).toEqual([
      { name: 'problem1.ipynb', kind: 'file', size: 13, modified: expect.any(Date) as Date },
    ]);
    expect((await files.listFolder()).map((e) => [e.name, e.kind])).toContainEqual(['course', 'folder']);
  });

  it('replaces a file whole, keeping its permissions', async () => {
    await files.writeFile('notes.txt', 'first');
    chmodSync(join(account.home, 'notes.txt'), 0o600);
    await files.writeFile('notes.txt', Buffer.from('second'));
    expect(readFileSync(join(account.home, 'notes.txt'), 'utf8')).toBe('second');
    expect(statSync(join(account.home, 'notes.txt')).mode & 0o777).toBe(0o600);
    expect((await files.listFolder()).some((e) => e.name.includes('coursehub-'))).toBe(false);
  });

  it('cannot read or overwrite what the user cannot, even in their home', async () => {
    const locked = join(account.home, 'locked.txt');
    writeFileSync(locked, 'root put this here');
    chmodSync(locked, 0o600); // owned by root
    expect(await failure(files.readFile('locked.txt'))).toBe('permission-denied');
    mkdirSync(join(account.home, 'root-folder'), { mode: 0o755 }); // root's, not writable by the user
    expect(await failure(files.writeFile('root-folder/x.txt', 'x'))).toBe('permission-denied');
  });

  it('follows no symbolic link, at the end of the path or in its middle', async () => {
    const secret = rootSecret('secret-1');
    symlinkSync(secret, join(account.home, 'to-secret'));
    symlinkSync('/etc', join(account.home, 'etc'));
    expect(await failure(files.readFile('to-secret'))).toBe('symbolic-link');
    expect(await failure(files.readFile('etc/passwd'))).toBe('symbolic-link');
    expect(await failure(files.listFolder('etc'))).toBe('symbolic-link');
    expect(await failure(files.writeFile('etc/evil', 'x'))).toBe('symbolic-link');
    expect((await files.listFolder()).find((e) => e.name === 'to-secret')?.kind).toBe('symbolic-link');
    // Writing over a link replaces the link; its target is untouched.
    await files.writeFile('to-secret', 'mine');
    expect(readFileSync(secret, 'utf8')).toBe('root-only secret');
    expect(readFileSync(join(account.home, 'to-secret'), 'utf8')).toBe('mine');
  });

  it('reads nothing through a hard link to a file the user may not read', async () => {
    const secret = rootSecret('secret-2');
    linkSync(secret, join(account.home, 'hard-link')); // root may link anything; the user could not
    expect(await failure(files.readFile('hard-link'))).toBe('permission-denied');
  });

  it('refuses what is not a regular file without hanging, and a file over the size asked for', async () => {
    execFileSync('mkfifo', [join(account.home, 'pipe')]);
    chownSync(join(account.home, 'pipe'), account.uid, account.gid);
    expect(await failure(files.readFile('pipe'))).toBe('not-a-file');
    expect(await failure(files.readFile('course'))).toBe('not-a-file');
    await files.writeFile('big.bin', Buffer.alloc(2048));
    expect(await failure(files.readFile('big.bin', { maxBytes: 1024 }))).toBe('too-large');
    expect(await failure(files.readFile('missing.txt'))).toBe('not-found');
  });

  it('refuses paths that leave the root', async () => {
    for (const path of ['../other/x', '/etc/passwd', 'a/../../b', '']) {
      expect(await failure(files.readFile(path))).toBe('invalid-path');
    }
    expect(await failure(files.listFolder('..'))).toBe('invalid-path');
  });
});
