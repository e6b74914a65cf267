/**
 * The bubblewrap command line for a grading kernel. The sandbox's root is an empty tmpfs; into it go
 * read-only system folders, /etc with its secrets masked, a fresh /proc and a minimal /dev, a private
 * /tmp, and two writable binds: the kernel's runtime directory (connection file and ipc sockets)
 * and the working copy being graded. Nothing else of the host exists inside, so the hub's data,
 * other students' work and the course source cannot be read, whatever their permissions.
 * --unshare-all gives the kernel its own network namespace with only a loopback of its own.
 */
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';

/** Files and folders in /etc (or other bound places) that must not be readable inside. */
export const DEFAULT_HIDDEN_PATHS = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/ssh',
  '/etc/ssl/private',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/coursehub',
];

// Not /opt, /srv, /var or /home: a hub's data and users' files commonly live there.
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

export interface BwrapOptions {
  runtimeDir: string;
  workingDirectory: string;
  /** Extra host paths to hide (e.g. the hub's data dir if it lies under a bound folder). */
  hiddenPaths: string[];
  /** Size cap of the private /tmp, which lives in memory. */
  tmpBytes: number;
  /** An empty host file with mode 000, bound over hidden files so opening them fails. */
  maskFile: string;
}

function systemDirArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    if (!existsSync(dir)) continue;
    // Debian's merged /usr makes /bin, /lib ... symlinks; recreate them as symlinks.
    if (lstatSync(dir).isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else args.push('--ro-bind', dir, dir);
  }
  return args;
}

function hideArgs(paths: string[], maskFile: string): string[] {
  const args: string[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    // An unreadable empty folder or file in place of the real one: reading fails with EACCES.
    if (isDir) args.push('--perms', '0000', '--tmpfs', path);
    else args.push('--ro-bind', maskFile, path);
  }
  return args;
}

export function bwrapArgs(options: BwrapOptions, command: string[]): string[] {
  return [
    'bwrap',
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    ...systemDirArgs(),
    '--ro-bind',
    '/etc',
    '/etc',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(options.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--bind',
    options.runtimeDir,
    options.runtimeDir,
    '--bind',
    options.workingDirectory,
    options.workingDirectory,
    // Last, so a hidden path inside any bind above is covered too.
    ...hideArgs([...DEFAULT_HIDDEN_PATHS, ...options.hiddenPaths], options.maskFile),
    '--chdir',
    options.workingDirectory,
    '--',
    ...command,
  ];
}
