/**
 * A whole folder of an account (a student's assignment folder), packed or unpacked by GNU tar
 * running as that account: one process per operation, so 200 students submitting at once cost
 * 200 short tar runs, not thousands of per-file helpers.
 *
 * The folder is reached from the account's root without following a symbolic link (each name
 * opened with O_NOFOLLOW below the last), by this process; the open folder becomes tar's working
 * directory (`/proc/self/fd/3`, entered before the account is taken), and tar then reads or writes
 * in it with the account's rights only. So no link the user plants, in the path or in the folder,
 * makes the hub read or write what the user could not: tar archives a link as a link (the caller
 * refuses it), and cannot open what the account cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { dropPrivilegesArgs } from './drop-privileges.js';
import { AccountFileError, SandboxSetupError } from './errors.js';
import { folderArchive, readFolderArchive, type FolderLimits, type PackedFile } from './folder-archive.js';
import type { SandboxAccount } from './sandbox.js';
import { packWithHelper } from './tar-helper.js';

export const TAR = '/usr/bin/tar';
const FOLDER_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const TIMEOUT_MS = 120_000;
/** Where the opened folder is in the child: its fd 3, entered as the working directory. */
const CHILD_FOLDER = '/proc/self/fd/3';
/** How tar starts a line of its own on stderr. */
const TAR_LINE = /^(?:\S*\/)?tar: /;

/** A tar run packing a folder: its archive as a stream, and how the run ended. */
export interface FolderPacking {
  /** The archive (GNU format), as tar writes it. */
  archive: Readable;
  /**
   * Settles when tar has exited: rejects with an AccountFileError naming what tar could not read
   * (permission denied, a file that vanished), unless the run was stopped with `stop`.
   */
  finished: Promise<void>;
  /** Stops tar at once (the caller has read enough: a limit was passed). */
  stop(): void;
}

export interface UnpackReport {
  /** Files that were already there and were left as they were (keepExisting). */
  kept: string[];
}

/**
 * @param root the account's folder (its home); paths are relative to it
 * @param account who to act as; undefined: this process's own account (a hub that is not root)
 */
export class AccountFolderTar {
  constructor(
    private readonly root: string,
    private readonly account: SandboxAccount | undefined,
  ) {}

  /**
   * Packs the folder `path` (relative to the root) with tar as the account. `exclude` are tar
   * exclusion patterns (matched on every name, as nbgrader's ignore list).
   */
  pack(path: string, exclude: readonly string[] = []): FolderPacking {
    const args = [
      '--create',
      '--file=-',
      '--format=gnu',
      // Each hard link stored as the file it is (read with the account's rights), never as a
      // link entry pointing at another member.
      '--hard-dereference',
      '--one-file-system',
      '--numeric-owner',
      '--sort=name',
      ...exclude.map((pattern) => `--exclude=${pattern}`),
      '.',
    ];
    const folder = this.openFolder(path);
    const switchTo = this.switchTo();
    if (switchTo) {
      // Opened here for its errors' sake; the helper opens it again the same way, as root.
      closeSync(folder);
      return this.packInHelper(path, switchTo, args);
    }
    let child: ChildProcess;
    try {
      child = this.spawnTar(args, folder, 'ignore');
    } finally {
      closeSync(folder);
    }
    let stopped = false;
    const finished = tarFinished(child, `pack "${path || '.'}"`, () => stopped);
    return {
      archive: child.stdout!,
      finished,
      stop() {
        stopped = true;
        child.kill('SIGKILL');
      },
    };
  }

  /** pack as another account: tar forked by the long-lived helper (./tar-helper.ts), not spawned here. */
  private packInHelper(path: string, account: SandboxAccount, args: string[]): FolderPacking {
    const run = packWithHelper(this.root, path, account, args);
    let stopped = false;
    const timer = setTimeout(() => run.kill(), TIMEOUT_MS);
    let stderr = '';
    run.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8192)));
    const finished = run.exit
      .catch((error: Error) => {
        throw new AccountFileError('failed', `Could not pack "${path || '.'}" as the user: ${error.message}`);
      })
      .then((end) => {
        if (end.code === 0 || stopped) return;
        throw tarFailure(`pack "${path || '.'}"`, stderr, end.code, end.signal);
      })
      .finally(() => clearTimeout(timer));
    return {
      archive: run.stdout,
      finished,
      stop() {
        stopped = true;
        run.kill();
      },
    };
  }

  /**
   * Unpacks `archive` into the folder `path` (relative to the root; it must exist) with tar as the
   * account. With `keepExisting` a file that is there already is left as it is (tar
   * --skip-old-files): a second fetch restores what is missing and never overwrites a change.
   */
  async unpack(path: string, archive: Readable, options: { keepExisting: boolean }): Promise<UnpackReport> {
    const folder = this.openFolder(path);
    let child: ChildProcess;
    try {
      child = this.spawnTar(
        [
          '--extract',
          '--file=-',
          '--no-same-owner',
          '--no-same-permissions',
          // Only with -vv does tar say which files it skipped. (GNU tar takes --no-overwrite-dir
          // with neither option; existing folders are kept as folders either way.)
          ...(options.keepExisting ? ['--skip-old-files', '-vv'] : ['--overwrite']),
        ],
        folder,
        'pipe',
      );
    } finally {
      closeSync(folder);
    }
    const kept: string[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout!.resume();
    child.stdin!.on('error', () => undefined); // tar may stop reading early (an error): reported below
    archive.on('error', (error) => child.stdin!.destroy(error));
    archive.pipe(child.stdin!);
    await tarFinished(
      child,
      `unpack into "${path || '.'}"`,
      () => false,
      () => stderr,
    );
    for (const line of stderr.split('\n')) {
      const skipped = /^(?:\S*\/)?tar: (.*): skipping existing file$/.exec(line);
      if (skipped) kept.push(skipped[1]!.replace(/^\.\//, ''));
    }
    return { kept };
  }

  /**
   * The files of the folder `path`, read by tar as the account and checked on this side
   * (./folder-archive.ts): the first thing refused stops tar and rejects, naming it; so does a
   * file tar could not read with the account's rights.
   */
  async packFiles(
    path: string,
    limits: FolderLimits,
    exclude: readonly string[] = [],
  ): Promise<PackedFile[]> {
    const packing = this.pack(path, exclude);
    let files: PackedFile[];
    try {
      files = await readFolderArchive(packing.archive, limits, path || '.');
    } catch (error) {
      packing.stop();
      await packing.finished.catch(() => undefined); // the refusal is what the caller needs
      throw error;
    }
    await packing.finished;
    return files;
  }

  /** Writes `files` below the folder `path` with tar as the account (see unpack). */
  unpackFiles(
    path: string,
    files: readonly PackedFile[],
    options: { keepExisting: boolean; prefix?: string },
  ): Promise<UnpackReport> {
    return this.unpack(path, folderArchive(files, options.prefix), options);
  }

  /** Opens ROOT/PATH as this process, name by name, never following a symbolic link. */
  private openFolder(path: string): number {
    const names = path.split('/').filter(Boolean);
    if (path.startsWith('/') || path.includes('\0') || names.some((n) => n === '.' || n === '..'))
      throw new AccountFileError('invalid-path', `"${path}" is not a path inside the user's folder.`, {
        hint: 'Give a relative path like "course101/ps1", without "." or ".." parts.',
      });
    let fd = openSync(this.root, FOLDER_FLAGS);
    try {
      for (const [index, name] of names.entries()) {
        let next: number;
        try {
          // openat(fd, name, O_NOFOLLOW) through the folder's /proc entry: Node has no openat.
          next = openSync(`/proc/self/fd/${fd}/${name}`, FOLDER_FLAGS);
        } catch (error) {
          throw openFailure(error, names.slice(0, index + 1).join('/'));
        }
        closeSync(fd);
        fd = next;
      }
      return fd;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The account to become, if it is not this process's own (only root can). */
  private switchTo(): SandboxAccount | undefined {
    const switchTo = this.account && this.account.uid !== process.getuid?.() ? this.account : undefined;
    if (switchTo && process.getuid?.() !== 0)
      throw new SandboxSetupError(`Only root can act as the account "${switchTo.name}".`, {
        hint: "A hub that is not root reaches its users' files as its own account: pass no account.",
      });
    return switchTo;
  }

  private spawnTar(args: string[], folder: number, stdin: 'pipe' | 'ignore'): ChildProcess {
    const switchTo = this.switchTo();
    const command = [...(switchTo ? dropPrivilegesArgs({ uid: switchTo.uid, gid: switchTo.gid }) : []), TAR];
    return spawn(command[0]!, [...command.slice(1), ...args], {
      // Entered by the child before it becomes the account: the folder this process opened.
      cwd: CHILD_FOLDER,
      env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      stdio: [stdin, 'pipe', 'pipe', folder],
      timeout: TIMEOUT_MS,
    });
  }
}

function openFailure(error: unknown, path: string): AccountFileError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AccountFileError('not-found', `"${path}" does not exist.`);
  // O_NOFOLLOW | O_DIRECTORY on a symbolic link fails with ELOOP or ENOTDIR.
  if (code === 'ELOOP')
    return new AccountFileError('symbolic-link', `"${path}" is a symbolic link; it is not followed.`, {
      hint: 'Use a real folder, not a link to one.',
    });
  if (code === 'ENOTDIR')
    return new AccountFileError('not-a-folder', `"${path}" is not a folder (or is a link to one).`, {
      hint: 'Use a real folder, not a file or a link.',
    });
  return new AccountFileError('failed', `Could not open "${path}": ${(error as Error).message}`);
}

/** How a tar run ended, as a promise; its complaints (unreadable files) become the error's message. */
function tarFinished(
  child: ChildProcess,
  what: string,
  stopped: () => boolean,
  stderrOf?: () => string,
): Promise<void> {
  let ownStderr = '';
  if (!stderrOf) {
    child.stderr!.on(
      'data',
      (chunk: Buffer) => (ownStderr = (ownStderr + chunk.toString('utf8')).slice(-8192)),
    );
    stderrOf = () => ownStderr;
  }
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0 || stopped()) return resolve();
      reject(tarFailure(what, stderrOf(), code, signal));
    });
  });
}

/** What tar said it could not do (unreadable files) as an AccountFileError. */
function tarFailure(
  what: string,
  stderr: string,
  code: number | null,
  signal: string | null,
): AccountFileError {
  const complaints = stderr
    .split('\n')
    // tar names itself as it was run: `/usr/bin/tar: ...`.
    .filter((line) => TAR_LINE.test(line) && !/Exiting with failure status|skipping existing/.test(line))
    .map((line) => line.replace(TAR_LINE, '').replace(/^\.\//, ''));
  const denied = complaints.some((line) => /Permission denied/.test(line));
  const why =
    complaints.length > 0
      ? complaints.slice(0, 10).join('; ')
      : signal
        ? `stopped by ${signal}`
        : `exit status ${code}`;
  return new AccountFileError(
    denied ? 'permission-denied' : 'failed',
    `Could not ${what} as the user: ${why}`,
    {
      hint: denied
        ? 'The user may not read it with their own rights either: nothing of it was taken.'
        : undefined,
    },
  );
}
