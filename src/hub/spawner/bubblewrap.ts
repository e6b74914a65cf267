/**
 * The bubblewrap sandbox around a local user server: the server sees the system directories
 * read-only, a private /tmp, and of /home only its own home. Home directories are already mode
 * 700 and owned by different uids, so this is defense in depth, not the only wall.
 *
 * The network is shared on purpose: the proxy reaches the server on 127.0.0.1. The PID namespace
 * is private so that killing bubblewrap takes down every process of the server, kernels included.
 * No --die-with-parent: servers outlive a hub restart.
 */
import { existsSync, lstatSync, readlinkSync } from 'node:fs';

export const BWRAP = '/usr/bin/bwrap';

export function bubblewrapAvailable(): boolean {
  return existsSync(BWRAP);
}

/** Top-level system paths: read-only binds, or symlinks where Debian merged them into /usr. */
const SYSTEM_PATHS = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32', '/opt'];

export function bubblewrapPrefix(home: string): string[] {
  const args = [BWRAP];
  for (const path of SYSTEM_PATHS) {
    if (!existsSync(path)) continue;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path);
    else args.push('--ro-bind', path, path);
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/home',
    '--dir',
    home,
    '--bind',
    home,
    home,
    '--chdir',
    home,
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--',
  );
  return args;
}
