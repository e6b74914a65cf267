/**
 * Where the steps' kernels run. grading/ asks for a kernel (NotebookKernels); the course layer
 * chooses the folder it runs in, which the sandboxed launcher takes over (as root it hands the
 * folder to the grading account), so it is always a copy made for the run, never the course's
 * own files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelLauncher, NotebookKernels } from '../grading/execution.js';

/** Kernels that run in `folder`. */
export function kernelsIn(launcher: KernelLauncher, folder: string): NotebookKernels {
  return { start: (options) => launcher.start({ ...options, workingDirectory: folder }) };
}

export interface ScratchKernels extends NotebookKernels {
  /** Removes the scratch folder, if one was made. */
  close(): Promise<void>;
}

/**
 * Kernels that run in a scratch folder under the system's temporary folder, made and filled (by
 * `fill`) when the first kernel starts, so that nothing is copied for notebooks that run nothing.
 */
export function kernelsInScratchCopy(
  launcher: KernelLauncher,
  name: string,
  fill: (folder: string) => Promise<void>,
): ScratchKernels {
  let folder: Promise<string> | undefined;
  return {
    async start(options) {
      folder ??= mkdtemp(join(tmpdir(), `coursehub-${name}-`)).then(async (dir) => {
        try {
          await fill(dir);
        } catch (error) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
        return dir;
      });
      return launcher.start({ ...options, workingDirectory: await folder });
    },
    async close() {
      const made = await folder?.catch(() => undefined);
      if (made) await rm(made, { recursive: true, force: true });
    },
  };
}
