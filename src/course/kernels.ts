/**
 * Where the steps' kernels run. grading/ asks for a kernel (NotebookKernels); the course layer
 * chooses the folder it runs in, which the sandboxed launcher takes over (as root it hands the
 * folder to the grading account), so it is always a copy made for the run, never the course's
 * own files.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelLauncher, KernelSession, NotebookKernels } from '../grading/execution.js';
import { CoursehubError } from '../util/errors.js';

/** Kernels that run in `folder`. */
export function kernelsIn(launcher: KernelLauncher, folder: string): NotebookKernels {
  return { start: (options) => launcher.start({ ...options, workingDirectory: folder }) };
}

export interface ScratchKernels extends NotebookKernels {
  /** Stops every kernel started here and removes the scratch folder, if one was made. */
  close(): Promise<void>;
}

/** Whether a process with this id is running (EPERM: it is, but not ours). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders of `name` that runs killed before they could clean up left in the
 * temporary folder: those whose process (its id is in the name) is gone, and that are ours to
 * remove (root removes any, as the sandbox gave them to the grading account).
 */
async function removeAbandonedScratch(name: string): Promise<void> {
  const prefix = `coursehub-${name}-`;
  const uid = process.getuid?.();
  // Nothing listed (no temporary folder to read): nothing to remove.
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    const pid = Number(/^(\d+)-/.exec(entry.slice(prefix.length))?.[1]);
    if (!entry.startsWith(prefix) || !Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
    const path = join(tmpdir(), entry);
    const info = await lstat(path).catch(() => null); // gone meanwhile: nothing to do
    if (!info?.isDirectory() || (uid !== 0 && info.uid !== uid)) continue;
    await rm(path, { recursive: true, force: true });
  }
}

/**
 * Kernels that run in a scratch folder under the system's temporary folder, made and filled (by
 * `fill`) when the first kernel starts, so that nothing is copied for notebooks that run nothing.
 * The folder's name holds this process's id, so that a later run can tell an abandoned folder
 * (its process was killed) from one in use.
 */
export function kernelsInScratchCopy(
  launcher: KernelLauncher,
  name: string,
  fill: (folder: string) => Promise<void>,
): ScratchKernels {
  let folder: Promise<string> | undefined;
  let closed = false;
  const starts = new Set<Promise<KernelSession>>();
  const makeFolder = async () => {
    await removeAbandonedScratch(name);
    const dir = await mkdtemp(join(tmpdir(), `coursehub-${name}-${process.pid}-`));
    try {
      await fill(dir);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return dir;
  };
  return {
    async start(options) {
      if (closed) throw new CoursehubError('These kernels were closed; no kernel starts any more.');
      folder ??= makeFolder();
      const starting = folder.then((dir) => launcher.start({ ...options, workingDirectory: dir }));
      starts.add(starting);
      const session = await starting;
      // Closed while it was starting: it stops at once, like the others did.
      if (closed) {
        await session.shutdown();
        throw new CoursehubError('These kernels were closed while one was starting.');
      }
      return session;
    },
    async close() {
      closed = true;
      const sessions = await Promise.allSettled(starts);
      for (const started of sessions) if (started.status === 'fulfilled') await started.value.shutdown();
      const made = await folder?.catch(() => undefined); // a folder that failed was removed by makeFolder
      if (made) await rm(made, { recursive: true, force: true });
    },
  };
}
