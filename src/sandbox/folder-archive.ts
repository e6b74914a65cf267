/**
 * A user's folder as the hub takes it in and hands it out: a list of regular files (relative POSIX
 * paths, UTF-8, sorted) with their bytes. `readFolderArchive` turns the tar stream a user's own
 * `tar` wrote (./account-folder-tar.ts) into that list, refusing — with a message that names the
 * file — what a submission must not hold: symbolic links (they could point at anything), hard-link
 * entries, devices, FIFOs and sockets, names that are absolute, climb with `..`, hold a control
 * character or are not UTF-8, a file over the size limit, more files or bytes than allowed. It
 * stops at the first refusal (the caller then stops tar), so a 2 GB file costs one header, not 2 GB.
 * `folderArchive` is the other way: the tar stream `tar -x` unpacks as the user.
 */
import { Readable } from 'node:stream';
import { extract, pack, type Header } from 'tar-stream';
import { AccountFileError } from './errors.js';

export interface FolderLimits {
  /** Largest single file, in bytes. */
  maxFileBytes: number;
  /** Largest sum of the files' sizes, in bytes. */
  maxTotalBytes: number;
  /** Most files (folders are not counted). */
  maxFiles: number;
}

export interface PackedFile {
  /** Relative POSIX path inside the folder, e.g. `data/input.csv`. */
  path: string;
  data: Buffer;
  /** Whether its owner may run it (the x bit), kept through the exchange. */
  executable: boolean;
}

/**
 * A folder of one account moved as a whole, with that account's rights: what the spawner's user
 * storage offers and the exchange uses (its UserFolders).
 */
export interface FolderTransfer {
  /**
   * Every regular file below the folder `path` (a snapshot for a submission), read in ONE pass
   * with the user's rights and checked against `limits`. Refused, as an AccountFileError naming
   * the file: a symbolic or hard link, a device or FIFO, a name that is absolute, holds `..`, a
   * control character or is not UTF-8, a file or a total over the limits, a file the user cannot
   * read. Names matching `exclude` (nbgrader's ignore globs, on any path component) are left out.
   */
  packFolder(
    path: string,
    limits: FolderLimits,
    options?: { exclude?: readonly string[] },
  ): Promise<PackedFile[]>;
  /**
   * Writes `files` below the folder `path` ('' is the root; missing folders are made) as the user,
   * in one pass. With `keepExisting` a file already there is left as it is (listed in `kept`): a
   * second fetch restores what is missing and never overwrites the user's changes.
   */
  unpackFolder(
    path: string,
    files: readonly PackedFile[],
    options: { keepExisting: boolean },
  ): Promise<{ kept: string[] }>;
}

type HeaderArgument = Partial<Header> & Pick<Header, 'name'>;

const MiB = 1024 * 1024;
const sizeText = (bytes: number) =>
  bytes >= MiB ? `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB` : `${bytes} bytes`;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The files of a tar stream, checked against `limits`; rejects with an AccountFileError naming the
 * first thing refused. `label` names the folder in messages (`course101/ps1`).
 */
export async function readFolderArchive(
  archive: Readable,
  limits: FolderLimits,
  label: string,
): Promise<PackedFile[]> {
  // Names are taken as bytes (latin1 maps each byte to one character) and decoded strictly below,
  // so a name that is not UTF-8 is refused instead of turned into replacement characters.
  // (tar-stream's own types leave its extract options out.)
  const entries = extract({ filenameEncoding: 'latin1' } as Parameters<typeof extract>[0]);
  archive.on('error', (error) => entries.destroy(error));
  archive.pipe(entries);
  const files: PackedFile[] = [];
  let total = 0;
  try {
    for await (const entry of entries) {
      const header = entry.header;
      const path = checkedName(header.name, label);
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      refuseType(header, path, label);
      if (files.length >= limits.maxFiles)
        throw new AccountFileError(
          'too-many-files',
          `${label} holds more than ${limits.maxFiles} files; nothing was taken.`,
          { hint: 'Remove files the assignment does not need (data sets, outputs, copies) and try again.' },
        );
      const size = header.size ?? 0;
      if (size > limits.maxFileBytes)
        throw new AccountFileError(
          'file-too-large',
          `${label}/${path} has ${sizeText(size)}, more than the ${sizeText(limits.maxFileBytes)} a file may have; nothing was taken.`,
          { hint: 'Remove the file or make it smaller (clear large outputs), then try again.' },
        );
      total += size;
      if (total > limits.maxTotalBytes)
        throw new AccountFileError(
          'too-large',
          `${label} holds more than ${sizeText(limits.maxTotalBytes)}; nothing was taken.`,
          { hint: 'Remove large files the assignment does not need, then try again.' },
        );
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.push({ path, data: Buffer.concat(chunks), executable: ((header.mode ?? 0) & 0o100) !== 0 });
    }
  } finally {
    // (A streamx stream, as folderArchive's, has no unpipe.) Let a producer that is still
    // writing finish, or be stopped by the caller.
    (archive as Partial<Readable>).unpipe?.(entries);
    archive.resume();
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A tar stream of `files` below `prefix` (folders made on the way), for `tar -x` as the user. */
export function folderArchive(files: readonly PackedFile[], prefix = ''): Readable {
  const archive = pack();
  const folders = new Set<string>();
  const base = prefix.split('/').filter(Boolean);
  void (async () => {
    try {
      for (const file of files) {
        const names = [...base, ...file.path.split('/')];
        for (let depth = 1; depth < names.length; depth++) {
          const folder = names.slice(0, depth).join('/');
          if (folders.has(folder)) continue;
          folders.add(folder);
          await entry(archive, { name: `${folder}/`, type: 'directory', mode: 0o755 });
        }
        await entry(
          archive,
          {
            name: names.join('/'),
            type: 'file',
            mode: file.executable ? 0o755 : 0o644,
            size: file.data.length,
          },
          file.data,
        );
      }
      archive.finalize();
    } catch (error) {
      archive.destroy(error as Error);
    }
  })();
  return archive as unknown as Readable;
}

function entry(archive: ReturnType<typeof pack>, header: HeaderArgument, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    archive.entry(header, data ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve())),
  );
}

/** The entry's path as a checked relative POSIX path (`./` and a trailing `/` dropped). */
function checkedName(raw: string, label: string): string {
  const bytes = Buffer.from(raw, 'latin1');
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Shown as Python shows such a name: printable ASCII as it is, every other byte as \xNN.
    const shown = [...bytes]
      .map((byte) =>
        byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`,
      )
      .join('')
      .replace(/^(\.\/)+/, '');
    throw new AccountFileError(
      'invalid-name',
      `${label} holds a file whose name is not UTF-8 (${shown}); nothing was taken.`,
      { hint: 'Rename the file with letters, digits and punctuation only, then try again.' },
    );
  }
  const refuse = (why: string) =>
    new AccountFileError(
      'invalid-name',
      `${label} holds a file named ${JSON.stringify(name.replace(/^(\.\/)+/, ''))}: ${why}; nothing was taken.`,
      {
        hint: 'Rename or remove the file, then try again.',
      },
    );
  if (name.startsWith('/')) throw refuse('an absolute path');
  if (CONTROL.test(name)) throw refuse('its name holds a control character (a newline, a tab, ...)');
  const names = name
    .split('/')
    .filter(
      (part, i, all) => part !== '' && !(part === '.' && i === 0) && !(i === all.length - 1 && part === ''),
    );
  if (names.some((part) => part === '..' || part === '.')) throw refuse('a path with "." or ".."');
  if (names.length === 0) return '';
  return names.join('/');
}

function refuseType(header: Header, path: string, label: string): void {
  if (header.type === 'file' || header.type === 'contiguous-file') return;
  if (header.type === 'symlink')
    throw new AccountFileError(
      'symbolic-link',
      `${label}/${path} is a symbolic link (to ${JSON.stringify(header.linkname ?? '')}); nothing was taken.`,
      { hint: 'Submit real files: replace the link with a copy of the file it points to.' },
    );
  if (header.type === 'link')
    throw new AccountFileError('hard-link', `${label}/${path} is a hard link; nothing was taken.`, {
      hint: 'Submit real files: replace the link with a copy of the file.',
    });
  throw new AccountFileError(
    'special-file',
    `${label}/${path} is not a regular file (a ${header.type ?? 'special file'}); nothing was taken.`,
    { hint: 'Remove it: only files and folders can be submitted.' },
  );
}
