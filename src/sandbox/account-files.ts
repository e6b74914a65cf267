/**
 * An account's own files (a user's home), read, written and listed with that account's rights,
 * never root's: each operation is a short-lived child process (account-files.py beside this file)
 * that setpriv has turned into the account, and that opens every name below the root without
 * following symbolic links. So neither a link nor a hard link placed by the user can make the hub
 * read or write what the user could not, and nothing here needs the user's server to run.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dropPrivilegesArgs } from './drop-privileges.js';
import { AccountFileError, SandboxSetupError, type AccountFileFailure } from './errors.js';
import type { SandboxAccount } from './sandbox.js';

/** Debian's Python: every account can run it, whatever interpreter the hub's PATH prefers. */
const PYTHON = '/usr/bin/python3';
const SCRIPT = readFileSync(fileURLToPath(new URL('./account-files.py', import.meta.url)), 'utf8');
const DEFAULT_MAX_BYTES = 100 * 1024 ** 2;
/**
 * The root as the child sees it: its fd 3, opened by this process and entered as the working
 * directory before the child becomes the account. So a root below folders the account cannot
 * pass (a Docker volume under /var/lib/docker, 0710 root) is reached all the same; below the
 * root, every access is the account's own.
 */
const CHILD_ROOT = '/proc/self/fd/3';
const ROOT_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const TIMEOUT_MS = 60_000;

export interface FolderEntry {
  name: string;
  kind: 'file' | 'folder' | 'symbolic-link' | 'other';
  size: number;
  modified: Date;
}

export class AccountFiles {
  /**
   * @param root the account's folder (its home); paths are relative to it
   * @param account who to act as; undefined: this process's own account (a hub that is not root)
   */
  constructor(
    private readonly root: string,
    private readonly account: SandboxAccount | undefined,
  ) {}

  /** The bytes of a regular file (at most `maxBytes`: a larger one is refused as `too-large`). */
  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<Buffer> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    return this.run(['read', '.', checkedPath(path), String(maxBytes)], undefined, maxBytes);
  }

  /** Writes a whole file (made beside it, then renamed over it), making missing folders on the way. */
  async writeFile(path: string, data: Buffer | string): Promise<void> {
    await this.run(['write', '.', checkedPath(path)], Buffer.from(data), 0);
  }

  /** The entries of a folder ('' is the root), sorted by name; links are listed, not followed. */
  async listFolder(path = ''): Promise<FolderEntry[]> {
    const json = await this.run(['list', '.', checkedPath(path, true)], undefined, DEFAULT_MAX_BYTES);
    const entries = JSON.parse(json.toString('utf8')) as (Omit<FolderEntry, 'modified'> & {
      modified: number;
    })[];
    return entries.map((entry) => ({ ...entry, modified: new Date(entry.modified * 1000) }));
  }

  private run(args: string[], input: Buffer | undefined, maxOutput: number): Promise<Buffer> {
    const switchTo = this.account && this.account.uid !== process.getuid?.() ? this.account : undefined;
    if (switchTo && process.getuid?.() !== 0)
      return Promise.reject(
        new SandboxSetupError(`Only root can act as the account "${switchTo.name}".`, {
          hint: "A hub that is not root reaches its users' files as its own account: pass no account.",
        }),
      );
    const command = [
      ...(switchTo ? dropPrivilegesArgs(switchTo) : []),
      PYTHON,
      '-I', // ignore PYTHON* variables and the user's site-packages
      '-S',
      '-c',
      SCRIPT,
      ...args,
    ];
    let root: number;
    try {
      root = openSync(this.root, ROOT_FLAGS);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return Promise.reject(
        new AccountFileError(
          code === 'ENOENT' ? 'not-found' : 'failed',
          `Could not ${args[0]} "${args[2]}" as the user: the user's folder cannot be opened (${code}).`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(command[0]!, command.slice(1), {
          cwd: CHILD_ROOT,
          env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
          stdio: ['pipe', 'pipe', 'pipe', root],
          timeout: TIMEOUT_MS,
          // (stdin, stdout and stderr are pipes; fd 3 is the root.)
        }) as ChildProcessWithoutNullStreams;
      } finally {
        closeSync(root);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // The helper runs as the user, who could tamper with it: never hold more than was asked for.
        if (size > maxOutput + 1) child.kill('SIGKILL');
        else chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4096)));
      child.stdin.on('error', () => undefined); // the helper may exit before reading all of it
      child.stdin.end(input);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (code === 0 && size <= maxOutput + 1) return resolve(Buffer.concat(chunks));
        reject(failure(args[0]!, args[2]!, code, signal, stderr, size > maxOutput + 1));
      });
    });
  }
}

/** A path relative to the root, without . or .. (the helper refuses them too). */
function checkedPath(path: string, rootAllowed = false): string {
  const names = path.split('/').filter(Boolean);
  if (path.startsWith('/') || names.some((name) => name === '.' || name === '..') || path.includes('\0'))
    throw new AccountFileError('invalid-path', `"${path}" is not a path inside the user's folder.`, {
      hint: 'Give a relative path like "course/ps1/problem1.ipynb", without "." or ".." parts.',
    });
  if (names.length === 0 && !rootAllowed)
    throw new AccountFileError('invalid-path', 'A file path is needed, not the folder itself.');
  return names.join('/');
}

const HINTS: Partial<Record<AccountFileFailure, string>> = {
  'permission-denied': 'The user may not access it with their own rights either.',
  'symbolic-link': 'Symbolic links are not followed here: a link in the path could point anywhere.',
  'too-large': 'Ask for a larger maxBytes if the file is meant to be that big.',
};

function failure(
  operation: string,
  path: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  tooMuch: boolean,
): AccountFileError {
  if (tooMuch) return new AccountFileError('too-large', `Reading ${path} gave more bytes than allowed.`);
  let reported: { reason?: AccountFileFailure; message?: string } = {};
  try {
    reported = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as typeof reported;
  } catch {
    /* not the helper's own report */
  }
  const reason = code === 3 && reported.reason ? reported.reason : 'failed';
  const why = reported.message ?? (signal ? `stopped by ${signal}` : stderr.trim() || `exit status ${code}`);
  return new AccountFileError(reason, `Could not ${operation} "${path}" as the user: ${why}`, {
    hint: HINTS[reason],
  });
}
