/**
 * THE bubblewrap command line, for every sandbox built with bubblewrap (grading kernels, the
 * kernel zygote, user servers): a plan says what the sandbox holds, this writes it as bwrap
 * arguments in one order. The sandbox's root is an empty tmpfs; into it go the read-only system
 * folders of a view, a fresh /proc, a minimal /dev, a private sticky /tmp, the emptied folders,
 * the parents of what is bound below, the extra read-only binds and links, the writable folders
 * (at their own path), and last the masks, so a masked path inside any bound folder is covered too.
 */
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { dropPrivilegesArgs, type AccountIds } from './drop-privileges.js';
import { SandboxSetupError } from './errors.js';
import type { SystemView } from './system-view.js';

export const BWRAP = '/usr/bin/bwrap';

export function bubblewrapAvailable(): boolean {
  return existsSync(BWRAP);
}

export type Namespace = 'ipc' | 'pid' | 'net' | 'uts' | 'cgroup-try';

export interface BubblewrapPlan {
  /**
   * Namespaces of its own. No user namespace is asked for: bwrap (not setuid on Debian) makes one
   * itself when its caller is not root, and as root none is wanted (setpriv drops to the account).
   */
  namespaces: Namespace[];
  /**
   * --die-with-parent: every process of the sandbox is SIGKILLed when bwrap's parent dies, and the
   * sandbox's init when bwrap itself dies. Grading kernels die with the grader this way; a user
   * server with the process the hub watches (a shell that stays as bwrap's parent, spawned-process.ts).
   */
  dieWithParent: boolean;
  /** --new-session: no controlling terminal to push input into (grading: the grader's may be a tty). */
  newSession: boolean;
  view: SystemView;
  /** Size cap of the private in-memory /tmp; undefined: none. */
  tmpBytes?: number;
  /**
   * Host paths seen read-only, at another path (the kernel zygote's /.host and script) or at
   * their own (the coursehub installation in a user server).
   */
  readOnlyBinds?: { source: string; target: string }[];
  /** Symbolic links made inside: `path` pointing to `target` (a bound link of the installation). */
  symlinks?: { target: string; path: string }[];
  /** Host folders the program may write, seen at their own path. */
  writable: string[];
  /** Host folders the program may write, seen at another path (bound after `writable`, so inside them). */
  writableBinds?: { source: string; target: string }[];
  /** Extra host paths to hide, beyond the view's masked ones. */
  hidden: string[];
  /** An empty mode-000 host file bound over hidden files (folders get an empty mode-000 tmpfs). */
  maskFile: string | undefined;
  chdir: string;
  /** bwrap runs as root; setpriv drops to this account right before the program. */
  dropTo?: AccountIds;
}

export function bubblewrapArgs(plan: BubblewrapPlan, command: string[]): string[] {
  return [
    BWRAP,
    ...plan.namespaces.map((namespace) => `--unshare-${namespace}`),
    ...(plan.dieWithParent ? ['--die-with-parent'] : []),
    ...(plan.newSession ? ['--new-session'] : []),
    ...systemFolderArgs(plan.view.readOnly),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Sticky and world-writable like a real /tmp: root's bwrap would make it 0755 root-owned.
    '--perms',
    '1777',
    ...(plan.tmpBytes === undefined ? [] : ['--size', String(plan.tmpBytes)]),
    '--tmpfs',
    '/tmp',
    ...plan.view.emptied.flatMap((folder) => ['--tmpfs', folder]),
    ...parentFolderArgs(
      [
        ...(plan.readOnlyBinds ?? []).map((bind) => bind.target),
        ...(plan.symlinks ?? []).map((link) => link.path),
        ...plan.writable,
        ...(plan.writableBinds ?? []).map((bind) => bind.target),
      ],
      plan.view.emptied,
    ),
    ...(plan.readOnlyBinds ?? []).flatMap(({ source, target }) => ['--ro-bind', source, target]),
    ...(plan.symlinks ?? []).flatMap(({ target, path }) => ['--symlink', target, path]),
    ...plan.writable.flatMap((folder) => ['--bind', folder, folder]),
    ...(plan.writableBinds ?? []).flatMap(({ source, target }) => ['--bind', source, target]),
    // Last, so a hidden path inside any bind above is covered too.
    ...hideArgs([...plan.view.masked, ...plan.hidden], plan.maskFile),
    '--chdir',
    plan.chdir,
    '--',
    ...(plan.dropTo ? dropPrivilegesArgs(plan.dropTo) : []),
    ...command,
  ];
}

function systemFolderArgs(folders: readonly string[]): string[] {
  const args: string[] = [];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    // Debian's merged /usr makes /bin, /lib ... symlinks; recreate them as symlinks.
    if (lstatSync(folder).isSymbolicLink()) args.push('--symlink', readlinkSync(folder), folder);
    else args.push('--ro-bind', folder, folder);
  }
  return args;
}

/**
 * bwrap creates missing parents of a bind target with its own umask (0700 for a root hub), which
 * an account could not traverse: create them first, world-traversable. They hold nothing but the path.
 */
function parentFolderArgs(targets: string[], emptied: readonly string[]): string[] {
  const made = new Set<string>(['/', '/tmp', ...emptied]);
  const args: string[] = [];
  for (const target of targets) {
    const parts = target.split('/').filter(Boolean);
    for (let depth = 1; depth < parts.length; depth += 1) {
      const folder = '/' + parts.slice(0, depth).join('/');
      if (made.has(folder) || targets.includes(folder)) continue;
      made.add(folder);
      args.push('--perms', '0755', '--dir', folder);
    }
  }
  return args;
}

function hideArgs(paths: string[], maskFile: string | undefined): string[] {
  const args: string[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      continue;
    }
    // An unreadable empty folder or file in place of the real one: reading fails with EACCES.
    if (isFolder) args.push('--perms', '0000', '--tmpfs', path);
    else if (maskFile) args.push('--ro-bind', maskFile, path);
    else
      throw new SandboxSetupError(`The sandbox must hide ${path} but was given no mask file.`, {
        hint: 'Create one with ensureMaskFile (src/sandbox/mask-file.ts) and pass it in the sandbox options.',
      });
  }
  return args;
}
