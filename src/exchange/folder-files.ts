/**
 * Folders of files as the exchange moves them, on the hub's own disk: written durably (each file
 * and folder fsynced, so a folder renamed into place after a power cut or a kill -9 is whole), and
 * read without following a link (a release folder is written by instructors: a link there must not
 * make the hub, as root, hand out /etc/shadow).
 */
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isIgnoredName } from '../course/ignore-rules.js';
import type { FolderLimits, PackedFile } from '../sandbox/folder-archive.js';
import { ReleaseRefusedError } from './errors.js';

/** Writes `files` below `folder` (made, with missing parents), each fsynced, then every folder. */
export async function writeFilesDurably(
  folder: string,
  files: readonly PackedFile[],
  modes: { file: number; executable: number; folder: number } = FILE_MODES,
): Promise<void> {
  await writeFiles(folder, files, modes, true);
}

/**
 * Writes `files` below `folder` without syncing them: the caller makes them durable with one
 * GroupSync (./group-sync.ts) before it renames the folder into place.
 */
export async function writeFilesUnsynced(
  folder: string,
  files: readonly PackedFile[],
  modes: { file: number; executable: number; folder: number } = FILE_MODES,
): Promise<void> {
  await writeFiles(folder, files, modes, false);
}

async function writeFiles(
  folder: string,
  files: readonly PackedFile[],
  modes: { file: number; executable: number; folder: number },
  sync: boolean,
): Promise<void> {
  const folders = new Set<string>([folder]);
  await mkdir(folder, { recursive: true, mode: modes.folder });
  for (const file of files) {
    const path = join(folder, file.path);
    const parent = dirname(path);
    if (!folders.has(parent)) {
      await mkdir(parent, { recursive: true, mode: modes.folder });
      for (let at = parent; at.length > folder.length; at = dirname(at)) folders.add(at);
    }
    const handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      file.executable ? modes.executable : modes.file,
    );
    try {
      await handle.writeFile(file.data);
      await handle.chmod(file.executable ? modes.executable : modes.file); // whatever the umask
      if (sync) await handle.sync();
    } finally {
      await handle.close();
    }
  }
  if (sync) for (const path of folders) await syncFolder(path);
}

/**
 * Copies the folder `from` (the exchange's own area: written only by the hub) into `to` (an
 * empty folder the caller made) without reading the files through JS: copy_file_range in the kernel, each
 * file created with O_EXCL (a link planted at its place is never followed) and given the mode
 * the source has. Nothing is synced: the caller syncs once for many copies (./group-sync.ts).
 * `skip` names top-level files left out. A link or a special file in `from` is refused by name.
 */
export async function copyFolderUnsynced(
  from: string,
  to: string,
  options: { label: string; skip?: readonly string[] },
): Promise<number> {
  let copied = 0;
  const walk = async (relative: string): Promise<void> => {
    const source = join(from, relative);
    const target = join(to, relative);
    if (relative) await mkdir(target, { mode: FILE_MODES.folder });
    for (const entry of await readdir(source, { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (!relative && options.skip?.includes(entry.name)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) {
        await copyFile(join(from, path), join(to, path), constants.COPYFILE_EXCL);
        copied++;
      } else
        throw new ReleaseRefusedError(
          `${options.label}/${path} is ${entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; nothing was copied.`,
          { hint: 'Replace it with a real file (a copy), or remove it.' },
        );
    }
  };
  await walk('');
  return copied;
}

export const FILE_MODES = { file: 0o644, executable: 0o755, folder: 0o755 };

export async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The regular files below `folder`, sorted by path, never following a link; names matching
 * `ignore` (nbgrader's CourseDirectory.ignore, on any path component) are left out. A link or a
 * special file is refused by name, as is a folder over `limits`. A missing folder is no files.
 */
export async function readFolderFiles(
  folder: string,
  options: { ignore?: readonly string[]; limits?: FolderLimits; label: string },
): Promise<PackedFile[]> {
  const files: PackedFile[] = [];
  let total = 0;
  const walk = async (relative: string): Promise<void> => {
    const names = (await readdir(join(folder, relative))).sort();
    for (const name of names) {
      if (options.ignore && isIgnoredName(name, options.ignore)) continue;
      const path = relative ? `${relative}/${name}` : name;
      const info = await lstat(join(folder, path));
      if (info.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!info.isFile())
        throw new ReleaseRefusedError(
          `${options.label}/${path} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; nothing was copied.`,
          { hint: 'Replace it with a real file (a copy), or remove it.' },
        );
      total += info.size;
      if (options.limits && (files.length >= options.limits.maxFiles || total > options.limits.maxTotalBytes))
        throw new ReleaseRefusedError(`${options.label} holds more files or bytes than the exchange takes.`, {
          hint: 'Remove what the students do not need, or raise exchange.maxFiles / exchange.maxTotalMb.',
        });
      const handle = await open(join(folder, path), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const data = await handle.readFile();
        files.push({ path, data, executable: (info.mode & 0o100) !== 0 });
      } finally {
        await handle.close();
      }
    }
  };
  const top = await lstat(folder).catch(() => undefined);
  if (!top) return [];
  if (!top.isDirectory())
    throw new ReleaseRefusedError(`${options.label} is not a folder.`, {
      hint: 'It must be a real folder, not a file or a link.',
    });
  await walk('');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
