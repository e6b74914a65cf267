/**
 * How a Docker user server gets its secrets without Docker showing them: `docker inspect` (and
 * anyone with the Engine API) sees a container's environment and command, so the server's token,
 * its hub API token and every configured variable go instead into a shell file the hub writes
 * root-only (0600, in a 0700 folder of its data directory) and bind-mounts read-only as
 * /usr/local/bin/before-notebook.d/coursehub.sh. The image's start script sources it as root, as
 * docker-stacks' start.sh sources its hooks, before it becomes the user; the user cannot read it.
 * The same file adds the user to the course groups of the course directories the server sees.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the image's start script looks for hooks (docker-stacks' folder). */
export const HOOK_TARGET = '/usr/local/bin/before-notebook.d/coursehub.sh';

/** Single-quoted for sh: nothing inside is expanded. */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface StartHook {
  /** Exported before the server starts (names that are not shell names are left out). */
  env: Record<string, string>;
  /** Supplementary groups of the user inside (the course groups), by gid. */
  groups: { name: string; gid: number }[];
  /** The umask of the server and all it starts (course servers: 007). */
  umask?: number;
}

export function startHookText(hook: StartHook): string {
  const lines = [
    '# Written by coursehub for one start of this container; sourced as root by the start script.',
    ...Object.entries(hook.env)
      .filter(([name]) => NAME.test(name))
      .map(([name, value]) => `export ${name}=${quoted(value)}`),
  ];
  for (const group of hook.groups) {
    const gid = String(Math.trunc(group.gid));
    // The gid may already have a name in the image: join that group, else make it.
    lines.push(
      `group_name=$(getent group ${gid} | cut -d: -f1)`,
      `[ -n "$group_name" ] || { groupadd --gid ${gid} ${quoted(group.name)} && group_name=${quoted(group.name)}; }`,
      `usermod --append --groups "$group_name" "$NB_USER"`,
    );
  }
  if (hook.umask !== undefined) lines.push(`umask ${hook.umask.toString(8).padStart(3, '0')}`);
  return `${lines.join('\n')}\n`;
}

/** Writes the hook of `container` root-only under `folder` and returns its path. */
export async function writeStartHook(folder: string, container: string, hook: StartHook): Promise<string> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, `${container}.sh`);
  await writeFile(path, startHookText(hook), { mode: 0o600 });
  return path;
}

export async function removeStartHook(folder: string, container: string): Promise<void> {
  await rm(join(folder, `${container}.sh`), { force: true });
}
