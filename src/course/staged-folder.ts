/**
 * "Build beside, then rename into place": a result (a release, an autograded submission, feedback,
 * an exchange copy) is built in a private folder next to its target, `.NAME.LABEL-UUID`, and
 * renamed over the target only when complete, so a failure or a kill at any moment leaves the old
 * result or none, never half of one. Same folder, same file system: the rename is atomic.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface StagedFolder {
  /** Where to build. */
  readonly path: string;
  /** Where the result goes. */
  readonly target: string;
  /** Replaces the target (and everything in it) with the built folder; `mode` is then set on it. */
  commit(options?: { mode?: number }): Promise<void>;
  /** Removes the built folder; the target is left as it was. */
  discard(): Promise<void>;
}

const prefix = (target: string, label: string) => `.${basename(target)}.${label}-`;

/** A new, empty folder beside `target` (its parent folders are created). */
export async function stageBeside(target: string, label: string): Promise<StagedFolder> {
  const parent = dirname(target);
  const path = join(parent, prefix(target, label) + randomUUID());
  await mkdir(path, { recursive: true });
  return {
    path,
    target,
    async commit(options = {}) {
      await rm(target, { recursive: true, force: true });
      await rename(path, target);
      if (options.mode !== undefined) await chmod(target, options.mode);
    },
    discard: () => rm(path, { recursive: true, force: true }),
  };
}

/** Removes what runs killed before committing left beside `target` under this label. */
export async function removeStaleStages(target: string, label: string): Promise<void> {
  const parent = dirname(target);
  const stale = prefix(target, label);
  for (const name of await readdir(parent).catch(() => [] as string[]))
    if (name.startsWith(stale)) await rm(join(parent, name), { recursive: true, force: true });
}
