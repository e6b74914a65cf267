/**
 * "Build beside, then rename into place": a result (a release, an autograded submission, feedback,
 * an exchange copy) is built in a private folder next to its target, `.NAME.LABEL-UUID`, and
 * renamed over the target only when complete, so a failure or a kill at any moment leaves the old
 * result or none, never half of one. Same folder, same file system: each rename is atomic.
 *
 * Replacing an existing target takes two renames (the old one aside to `.NAME.replaced-UUID`,
 * the new one in), and only then is the old one removed: a kill between the two leaves the old
 * result aside, and the next run puts it back (removeStaleStages), so it is never half deleted.
 */
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
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

/** The name every stage of `target` under `label` starts with (a UUID follows). */
export const stagePrefix = (target: string, label: string) => `.${basename(target)}.${label}-`;
/** The label of an old result set aside while its replacement is renamed in. */
export const REPLACED = 'replaced';

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** A new, empty folder beside `target` (its parent folders are created). */
export async function stageBeside(target: string, label: string): Promise<StagedFolder> {
  const parent = dirname(target);
  const path = join(parent, stagePrefix(target, label) + randomUUID());
  await mkdir(parent, { recursive: true });
  await mkdir(path);
  return {
    path,
    target,
    async commit(options = {}) {
      const aside = join(parent, stagePrefix(target, REPLACED) + randomUUID());
      let replacing = true;
      try {
        await rename(target, aside);
      } catch (error) {
        if (!missing(error)) throw error;
        replacing = false;
      }
      try {
        await rename(path, target);
      } catch (error) {
        if (replacing) await rename(aside, target);
        throw error;
      }
      if (options.mode !== undefined) await chmod(target, options.mode);
      if (replacing) await rm(aside, { recursive: true, force: true });
    },
    // The folders made for the stage stay, empty, as nbgrader leaves autograded/STUDENT/ and
    // feedback/STUDENT/ after a failure.
    discard: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * Cleans up what runs killed before they finished left beside `target`: folders being built under
 * this label are removed; an old result set aside by an unfinished replacement is put back when
 * the target is missing (else removed).
 */
export async function removeStaleStages(target: string, label: string): Promise<void> {
  const parent = dirname(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return; // no parent folder: nothing was ever staged there
  }
  for (const name of names)
    if (name.startsWith(stagePrefix(target, label)))
      await rm(join(parent, name), { recursive: true, force: true });
  for (const name of names.filter((n) => n.startsWith(stagePrefix(target, REPLACED)))) {
    const aside = join(parent, name);
    const targetThere = await lstat(target).then(
      () => true,
      () => false, // absent: the old result is put back below
    );
    if (targetThere) await rm(aside, { recursive: true, force: true });
    else await rename(aside, target);
  }
}
