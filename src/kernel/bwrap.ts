/**
 * The bubblewrap command line for a grading kernel. The sandbox's root is an empty tmpfs; into it go
 * read-only system folders, /etc with its secrets masked, a fresh /proc and a minimal /dev, a private
 * /tmp, and two writable binds: the kernel's runtime directory (connection file and ipc sockets)
 * and the working copy being graded. Nothing else of the host exists inside, so the hub's data,
 * other students' work and the course source cannot be read, whatever their permissions.
 * A new network namespace leaves the kernel only a loopback of its own: no network at all.
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
  /**
   * When the hub is root: bwrap runs as root (so it can bind folders the grader could not even
   * traverse, like a 0700 temp dir) and the kernel drops to this account with setpriv, with no
   * capabilities and no_new_privs. Without it bwrap runs as the calling user in a user namespace.
   */
  runAs?: { uid: number; gid: number };
}

/**
 * A user namespace would map only root, so setpriv could not switch to the grader inside it: as
 * root, unshare everything but the user namespace, and let setpriv drop every privilege.
 */
function namespaceArgs(asRoot: boolean): string[] {
  if (!asRoot) return ['--unshare-all'];
  return ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try'];
}

function dropPrivileges(runAs: { uid: number; gid: number } | undefined): string[] {
  if (!runAs) return [];
  return [
    'setpriv',
    `--reuid=${runAs.uid}`,
    `--regid=${runAs.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
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

/** What every sandbox here sees of the system: read-only system folders and /etc, /proc, /dev. */
function systemViewArgs(): string[] {
  return [...systemDirArgs(), '--ro-bind', '/etc', '/etc', '--proc', '/proc', '--dev', '/dev'];
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

/**
 * bwrap creates missing parents of a bind target with the hub's umask (0700 here), which the
 * grader could not traverse: create them first, world-traversable. They hold nothing but the path.
 */
function parentDirArgs(targets: string[]): string[] {
  const made = new Set<string>(['/', '/tmp']);
  const args: string[] = [];
  for (const target of targets) {
    const parts = target.split('/').filter(Boolean);
    for (let depth = 1; depth < parts.length; depth += 1) {
      const dir = '/' + parts.slice(0, depth).join('/');
      if (made.has(dir) || targets.includes(dir)) continue;
      made.add(dir);
      args.push('--perms', '0755', '--dir', dir);
    }
  }
  return args;
}

export function bwrapArgs(options: BwrapOptions, command: string[]): string[] {
  return [
    'bwrap',
    ...namespaceArgs(options.runAs !== undefined),
    '--die-with-parent',
    '--new-session',
    ...systemViewArgs(),
    // Sticky and world-writable like a real /tmp: root's bwrap would make it 0755 root-owned.
    '--perms',
    '1777',
    '--size',
    String(options.tmpBytes),
    '--tmpfs',
    '/tmp',
    ...parentDirArgs([options.runtimeDir, options.workingDirectory]),
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
    ...dropPrivileges(options.runAs),
    ...command,
  ];
}

export interface ZygoteBwrapOptions {
  /** The zygote's Python source on the host, bound read-only at /zygote.py. */
  script: string;
  /** Bound read-write: the zygote writes each kernel's log file there. */
  runtimeRoot: string;
  hiddenPaths: string[];
  maskFile: string;
}

/**
 * The sandbox the kernel zygote (src/kernel/zygote/) lives in: the same system view as a kernel's,
 * without network, plus the host's root read-only at /.host, from which each forked kernel binds
 * its own two folders before detaching /.host. The zygote stays root (bwrap keeps a root caller's
 * capabilities) because every fork must mount and then drop to the grader account itself; the
 * zygote never runs user code. No pid namespace here: the pids it reports are the host's, so the
 * hub can put each kernel in its cgroup.
 */
export function zygoteBwrapArgs(options: ZygoteBwrapOptions, command: string[]): string[] {
  return [
    'bwrap',
    '--unshare-ipc',
    '--unshare-net',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    ...systemViewArgs(),
    '--tmpfs',
    '/tmp',
    '--ro-bind',
    '/',
    '/.host',
    '--ro-bind',
    options.script,
    '/zygote.py',
    '--bind',
    options.runtimeRoot,
    options.runtimeRoot,
    ...hideArgs([...DEFAULT_HIDDEN_PATHS, ...options.hiddenPaths], options.maskFile),
    '--chdir',
    '/',
    '--',
    ...command,
    '/zygote.py',
  ];
}
