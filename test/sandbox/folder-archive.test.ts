// The hub's side of a packed folder (src/sandbox/folder-archive.ts): tar streams that a real
// `tar -c` of a user's folder cannot produce but a tampered one could (names that climb with `..`
// or are absolute, hard-link and device entries) are refused by name like the ones it can; the
// files of a good stream come out sorted, with their bytes and x bit, folders implied.
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { AccountFileError } from '../../src/sandbox/errors.js';
import { folderArchive, readFolderArchive, type FolderLimits } from '../../src/sandbox/folder-archive.js';

const LIMITS: FolderLimits = { maxFileBytes: 1000, maxTotalBytes: 1500, maxFiles: 3 };

type Entry = {
  name: string;
  type?: 'file' | 'directory' | 'link' | 'symlink' | 'character-device' | 'fifo';
  body?: string;
  linkname?: string;
  mode?: number;
};

function tarOf(entries: Entry[]): Readable {
  const archive = pack();
  for (const entry of entries)
    archive.entry(
      { name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname, mode: entry.mode ?? 0o644 },
      entry.body ?? '',
    );
  archive.finalize();
  return archive as unknown as Readable;
}

async function failure(entries: Entry[]): Promise<AccountFileError> {
  const error = await readFolderArchive(tarOf(entries), LIMITS, 'c101/ps1').then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AccountFileError);
  return error as AccountFileError;
}

describe('reading a packed folder', () => {
  it('gives the files sorted, with their bytes and x bit, and reads back what folderArchive packs', async () => {
    const files = await readFolderArchive(
      tarOf([
        { name: './', type: 'directory' },
        { name: './z.py', body: 'print(1)', mode: 0o755 },
        { name: './data/', type: 'directory' },
        { name: './data/in.csv', body: 'a,b' },
      ]),
      LIMITS,
      'c101/ps1',
    );
    expect(files.map((f) => [f.path, f.data.toString(), f.executable])).toEqual([
      ['data/in.csv', 'a,b', false],
      ['z.py', 'print(1)', true],
    ]);
    const again = await readFolderArchive(folderArchive(files, 'c101/ps1'), LIMITS, 'x');
    expect(again.map((f) => f.path)).toEqual(['c101/ps1/data/in.csv', 'c101/ps1/z.py']);
  });

  it.each([
    ['../escape.txt', /named "\.\.\/escape\.txt": a path with "\." or "\.\."/],
    ['ps1/../../etc/passwd', /a path with "\." or "\.\."/],
    ['/etc/passwd', /named "\/etc\/passwd": an absolute path/],
    ['tab\there', /a control character/],
  ])('refuses the name %j', async (name, message) => {
    const error = await failure([{ name }]);
    expect(error.failure).toBe('invalid-name');
    expect(error.message).toMatch(message);
  });

  it('refuses hard-link, symbolic-link, device and FIFO entries by name', async () => {
    expect((await failure([{ name: 'a' }, { name: 'b', type: 'link', linkname: 'a' }])).message).toBe(
      'c101/ps1/b is a hard link; nothing was taken.',
    );
    expect((await failure([{ name: 'l', type: 'symlink', linkname: '/etc/shadow' }])).failure).toBe(
      'symbolic-link',
    );
    expect((await failure([{ name: 'tty', type: 'character-device' }])).message).toMatch(
      /tty is not a regular file \(a character-device\)/,
    );
    expect((await failure([{ name: 'p', type: 'fifo' }])).failure).toBe('special-file');
  });

  it('refuses a file, a total and a count over the limits', async () => {
    expect((await failure([{ name: 'big', body: 'x'.repeat(1001) }])).failure).toBe('file-too-large');
    expect(
      (
        await failure([
          { name: 'a', body: 'x'.repeat(800) },
          { name: 'b', body: 'x'.repeat(800) },
        ])
      ).failure,
    ).toBe('too-large');
    expect((await failure(['a', 'b', 'c', 'd'].map((name) => ({ name })))).message).toBe(
      'c101/ps1 holds more than 3 files; nothing was taken.',
    );
  });
});
