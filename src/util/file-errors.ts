/**
 * Expected failures of the file system (a path that does not exist, a folder where a file was
 * meant, no permission, a full disk) as CoursehubErrors that name the path and say what to do.
 * Node's own errors name the system call ("ENOENT: no such file or directory, lstat '...'"); a user
 * needs the path and the remedy. Layers that know better what they were doing say it themselves
 * (`doing`); the command line's boundary turns any that got through the same way.
 */
import { CoursehubError } from './errors.js';

export class FileSystemError extends CoursehubError {
  constructor(
    message: string,
    readonly code: string,
    readonly path: string,
    options: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An error Node's fs raised: it has a code such as ENOENT and the path it was about. */
export function isFileSystemFailure(
  error: unknown,
): error is NodeJS.ErrnoException & { code: string; path: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).path === 'string'
  );
}

const WHAT: Record<string, (path: string) => { message: string; hint: string }> = {
  ENOENT: (path) => ({ message: `${path} does not exist`, hint: 'Check the path and the current folder.' }),
  EISDIR: (path) => ({ message: `${path} is a folder`, hint: 'Give the path of a file.' }),
  ENOTDIR: (path) => ({
    message: `${path}: a part of this path is a file, not a folder`,
    hint: 'Check each folder of the path (ls -ld).',
  }),
  EEXIST: (path) => ({ message: `${path} already exists`, hint: 'Move it away or choose another name.' }),
  ENOTEMPTY: (path) => ({ message: `${path} is a folder that is not empty`, hint: 'Move it away first.' }),
  EACCES: (path) => ({
    message: `permission denied: ${path}`,
    hint: 'Check the owner and mode of the file and of its folders (ls -ld).',
  }),
  EPERM: (path) => ({
    message: `operation not permitted: ${path}`,
    hint: 'Check the owner and mode of the file and of its folders (ls -ld).',
  }),
  EROFS: (path) => ({ message: `${path} is on a read-only file system`, hint: 'Choose a writable place.' }),
  ENOSPC: (path) => ({ message: `no space left on the device holding ${path}`, hint: 'Free some space.' }),
  EDQUOT: (path) => ({ message: `disk quota exceeded writing ${path}`, hint: 'Free some space.' }),
  ENAMETOOLONG: (path) => ({ message: `the path is too long: ${path}`, hint: 'Use a shorter path.' }),
  ELOOP: (path) => ({ message: `too many symbolic links in ${path}`, hint: 'Check the links of the path.' }),
  EMFILE: (path) => ({ message: `too many open files (at ${path})`, hint: 'Raise the limit (ulimit -n).' }),
  EBUSY: (path) => ({ message: `${path} is busy`, hint: 'Try again when nothing else uses it.' }),
  EXDEV: (path) => ({
    message: `${path} is on another file system than its destination`,
    hint: 'Keep both on the same file system.',
  }),
};

/**
 * The CoursehubError for an expected failure of the file system, or undefined when `error` is not
 * one (a bug, or an error of another kind). `doing` says what was being done, e.g. "read the
 * notebook"; a rename names both paths.
 */
export function fileSystemError(
  error: unknown,
  doing?: string,
  options: { path?: string } = {},
): FileSystemError | undefined {
  if (!isFileSystemFailure(error)) return undefined;
  const describe = WHAT[error.code];
  if (!describe) return undefined;
  // `options.path` names the file the user knows when the failure was on a temporary one beside it.
  const path = options.path ?? error.path;
  const { message, hint } = describe(path);
  const dest = (error as { dest?: unknown }).dest;
  const destination = typeof dest === 'string' ? ` (moving it to ${dest})` : '';
  const prefix = doing ? `Cannot ${doing}: ` : '';
  return new FileSystemError(`${prefix}${message}${options.path ? '' : destination}`, error.code, path, {
    hint,
    cause: error,
  });
}
