/**
 * What coursehub adds to every user's Jupyter server, as JupyterHub's singleuser server does:
 * with Debian's notebook 6 unmodified, the configuration folder `share/singleuser/` (a "Control
 * Panel" link to the hub in every page's header, a Logout that logs out of the hub), and the
 * `coursehub` command on the PATH, a launcher of this installation's own CLI, so that the
 * `coursehub nbgrader` commands work from a terminal in the server with JUPYTERHUB_API_URL and
 * JUPYTERHUB_API_TOKEN, as nbgrader's did in the seed.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI_FILES, coursehubCli, INSTALLATION_ROOT } from '../installation.js';

/** The notebook configuration folder the spawner puts on JUPYTER_CONFIG_PATH. */
export const SINGLEUSER_CONFIG = join(INSTALLATION_ROOT, 'share', 'singleuser');

/**
 * A copy of SINGLEUSER_CONFIG in `folder` (replaced at each hub start), for dockerd to mount: it
 * takes bind sources as host paths, and a hub in a container has its installation only inside.
 */
export function singleuserConfigCopy(folder: string): string {
  rmSync(folder, { recursive: true, force: true });
  cpSync(SINGLEUSER_CONFIG, folder, { recursive: true });
  return folder;
}

/** Single-quoted for sh: nothing inside is expanded. */
function shellQuoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The launcher's text: this installation's CLI, with the node that runs the hub. */
export function launcherScript(): string {
  const { executable, args } = coursehubCli();
  return [
    '#!/bin/sh',
    "# coursehub's command inside a user's Jupyter server: the CLI of the installation that started",
    '# the server (written by the hub at each server start).',
    `exec ${[executable, ...args].map(shellQuoted).join(' ')} "$@"`,
    '',
  ].join('\n');
}

/**
 * Writes the launcher as `parent/bin-HASH/coursehub` (0755) and returns its folder. Named after
 * its text, so that hubs of different installations on one host (a test run beside a demo) never
 * overwrite each other's, and a folder once written never changes under a running server.
 * `parent` must be the hub's own and traversable by everyone (the server runs as its user).
 */
export async function ensureLauncher(parent: string): Promise<string> {
  const text = launcherScript();
  const folder = join(parent, `bin-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  const path = join(folder, 'coursehub');
  if ((await readFile(path, 'utf8').catch(() => undefined)) === text) return folder;
  await mkdir(folder, { recursive: true, mode: 0o755 });
  await chmod(folder, 0o755);
  // Beside it, then renamed: a server starting meanwhile never runs half a script.
  const staged = `${path}.${process.pid}.tmp`;
  await writeFile(staged, text, { mode: 0o755 });
  await chmod(staged, 0o755);
  await rename(staged, path);
  return folder;
}

/**
 * What a server must see read-only to run the launcher and read the configuration folder: the
 * CLI's files of this installation (not its root: an admin's configuration or data folder may
 * lie there), the node that runs the hub, and the launcher's folder. Paths already in the
 * sandbox's system view (a node in /usr/bin, an installation under /opt) are left out.
 */
export function singleuserReadOnlyPaths(launcherFolder: string, alreadyVisible: readonly string[]): string[] {
  const inView = (path: string) =>
    alreadyVisible.some((folder) => path === folder || path.startsWith(`${folder}/`));
  const wanted = [
    ...CLI_FILES.map((name) => join(INSTALLATION_ROOT, name)),
    SINGLEUSER_CONFIG,
    process.execPath,
    launcherFolder,
  ];
  return wanted.filter((path) => existsSync(path) && !inView(path));
}

/** The server's PATH (the launcher first) and JUPYTER_CONFIG_PATH (ours before any the admin set). */
export function singleuserEnv(
  launcherFolder: string,
  basePath: string,
  configPath: string | undefined,
): Record<string, string> {
  return {
    PATH: `${launcherFolder}:${basePath}`,
    JUPYTER_CONFIG_PATH: configPath ? `${SINGLEUSER_CONFIG}:${configPath}` : SINGLEUSER_CONFIG,
  };
}
