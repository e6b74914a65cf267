/**
 * nbgrader's validate on a student's own COURSE_ID/ASSIGNMENT/, from the student page: the folder
 * is read with the student's rights (the same packing as submit: links, devices, bad names and
 * the limits are refused), written to a private scratch folder of the hub's, and each notebook at
 * its top is validated in the grading sandbox (a fresh sandboxed kernel in a copy of the folder,
 * src/course/validate-notebook-file.ts). Nothing of the student's files changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateNotebookFile } from '../../course/index.js';
import { writeFilesDurably } from '../../exchange/folder-files.js';
import type { KernelLauncher } from '../../grading/execution.js';
import type { NbgraderSettings } from '../../grading/nbgrader-config.js';
import type { PackedFile } from '../../sandbox/folder-archive.js';
import { CoursehubError } from '../../util/errors.js';

/** The folder holds no notebook to validate. */
export class NothingToValidateError extends CoursehubError {}

export interface NotebookReport {
  notebook: string;
  passed: boolean;
  report: string;
}

export async function validateStudentFiles(
  files: readonly PackedFile[],
  folderLabel: string,
  settings: NbgraderSettings,
  launcher: KernelLauncher,
): Promise<NotebookReport[]> {
  const notebooks = files
    .filter((file) => !file.path.includes('/') && file.path.endsWith('.ipynb'))
    .map((file) => file.path)
    .sort();
  if (notebooks.length === 0)
    throw new NothingToValidateError(`There is no notebook in ${folderLabel}/ to validate.`, {
      hint: 'Fetch the assignment first, and keep its notebooks at the top of its folder.',
    });
  const scratch = await mkdtemp(join(tmpdir(), 'coursehub-validate-'));
  try {
    const folder = join(scratch, 'files');
    await writeFilesDurably(folder, files);
    const reports: NotebookReport[] = [];
    for (const notebook of notebooks) {
      try {
        const validation = await validateNotebookFile(join(folder, notebook), {
          launcher,
          cellTimeoutSeconds: settings.executeTimeout,
          ignoreChecksums: settings.ignoreChecksums,
          validateAll: settings.validateAll,
        });
        reports.push({
          notebook,
          passed: validation.passed,
          // The report names the scratch path; the student knows the notebook by its own.
          report: validation.report.replaceAll(join(folder, notebook), `${folderLabel}/${notebook}`),
        });
      } catch (error) {
        if (!(error instanceof CoursehubError)) throw error;
        reports.push({ notebook, passed: false, report: error.describe() });
      }
    }
    return reports;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
