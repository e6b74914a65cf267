/**
 * Autogrades one student's submission of one assignment beside its final place
 * (`autograded/STUDENT/.ASSIGNMENT.partial-*`, see staged-folder.ts): the files are laid out as
 * nbgrader's Autograde lays them out, and each notebook goes through grading/'s autograde steps.
 * Nothing is visible under the real name until the caller has stored the grades and committed the
 * folder, so a grader killed at any moment leaves either the old result or none, never half a
 * notebook.
 */
import { chmod, lchown, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  autogradeGradeSteps,
  autogradeSanitizeSteps,
  type AutogradeContext,
  type AutogradeSettings,
  type NotebookGrades,
  type SourceNotebook,
} from '../grading/autograde/index.js';
import { notebookKernelOptions } from '../grading/execute-notebook.js';
import type { KernelLauncher, KernelSession, NotebookKernels } from '../grading/execution.js';
import { collectingLog } from '../grading/pipeline/step-log.js';
import { runSteps } from '../grading/pipeline/step.js';
import { cloneJson, type Notebook } from '../notebook/index.js';
import { CoursehubError } from '../util/errors.js';
import type { CourseDirectory } from './course-directory.js';
import {
  copyFiles,
  pathConflicts,
  PathConflictError,
  readNotebookFile,
  writeNotebookFile,
} from './course-files.js';
import { removeStaleStages, stageBeside, type StagedFolder } from './staged-folder.js';
import { getOwn } from '../util/own-keys.js';

export class SubmissionSkippedError extends CoursehubError {}

/** The label of the folders autograde builds beside autograded/STUDENT/ASSIGNMENT. */
const PARTIAL = 'partial';

export interface SubmissionJob {
  course: CourseDirectory;
  assignment: string;
  student: string;
  /** The gradebook's copy of the assignment's source notebooks. */
  sourceNotebooks: SourceNotebook[];
  settings: AutogradeSettings;
  /** null: --no-execute (stored outputs are scored as they are). */
  launcher: KernelLauncher | null;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export interface GradedSubmission {
  /** The finished result, to be committed into place once the grades are stored. */
  stage: StagedFolder | null;
  graded: Array<{ name: string } & NotebookGrades>;
  missing: string[];
  isolation: string | null;
  /** Set when the submission failed; `graded` then holds the notebooks finished before it. */
  error?: unknown;
}

/**
 * Gives the folder back to the grader's own user (the sandbox ran as another account) and makes
 * every regular file read-only (0444, as nbgrader's autograded files are). Links are never
 * followed: what the student's code left behind is not trusted.
 */
async function sealFolder(dir: string): Promise<void> {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Not ours to give back when we are not root (then it was never taken): nothing to say.
    if (uid !== undefined && gid !== undefined) await lchown(path, uid, gid).catch(() => undefined);
    if (entry.isSymbolicLink()) await rm(path, { force: true });
    else if (entry.isDirectory()) await sealFolder(path);
    else if (entry.isFile()) await chmod(path, 0o444);
  }
  // As above: without root there is nothing to give back.
  if (uid !== undefined && gid !== undefined) await lchown(dir, uid, gid).catch(() => undefined);
}

/**
 * The instructor's files are copied over the student's (nbgrader's "Overwriting files with master
 * versions"); a student's file where the source needs a folder, or the other way round, cannot be
 * overwritten without deleting the student's work, so the submission is refused, naming both.
 */
function refuseConflicts(
  course: CourseDirectory,
  submittedDir: string,
  sourceDir: string,
  conflicts: Array<[string, string]>,
): void {
  if (conflicts.length === 0) return;
  const [submitted, source] = conflicts[0]!;
  const submittedPath = course.label(join(submittedDir, submitted));
  const sourcePath = course.label(join(sourceDir, source));
  const isFolderOfSource = source.startsWith(`${submitted}/`);
  throw new PathConflictError(
    isFolderOfSource
      ? `The submission has a file ${submittedPath} where the assignment's ${sourcePath} needs a folder.`
      : `The submission has a folder ${course.label(join(submittedDir, source))}/ where the assignment's file ${sourcePath} goes (it holds ${submittedPath}).`,
    {
      hint: "Rename the student's file (or folder) and autograde again, or list it in Autograde.exclude_overwriting.",
    },
  );
}

/** Removes what a killed earlier run left behind for this student and assignment. */
export function removeStalePartials(course: CourseDirectory, student: string, assignment: string) {
  return removeStaleStages(course.autograded(student, assignment), PARTIAL);
}

interface PreparedNotebook {
  file: string;
  name: string;
  notebook?: Notebook;
  context?: AutogradeContext;
  /** What the sanitize steps warned about. */
  warnings?: string[];
  error?: unknown;
}

export async function gradeSubmission(job: SubmissionJob): Promise<GradedSubmission> {
  const { course, assignment, student, settings } = job;
  const submittedDir = course.submitted(student, assignment);
  const stage = await stageBeside(course.autograded(student, assignment), PARTIAL);
  const result: GradedSubmission = { stage, graded: [], missing: [], isolation: null };
  try {
    const submittedFiles = await course.dataFiles(submittedDir);
    const sourceDir = course.source(assignment);
    const excluded = new Set(getOwn(settings.excludeOverwriting, assignment) ?? []);
    const sourceFiles = (await course.dataFiles(sourceDir)).filter((f) => !excluded.has(f));
    refuseConflicts(course, submittedDir, sourceDir, pathConflicts(submittedFiles, sourceFiles));
    await copyFiles(submittedDir, stage.path, submittedFiles);
    if (sourceFiles.length > 0)
      job.log('info', 'Overwriting files with master versions from the source directory');
    await copyFiles(sourceDir, stage.path, sourceFiles);

    const submittedNotebooks = await course.notebooks(submittedDir);
    const known = new Set(job.sourceNotebooks.map((n) => n.name));
    const toGrade = submittedNotebooks.filter((file) => {
      if (known.has(file.slice(0, -'.ipynb'.length))) return true;
      job.log('warning', `Skipping unknown notebook: ${join(submittedDir, file)}`);
      return false;
    });
    if (toGrade.length === 0) {
      throw new SubmissionSkippedError(`No notebooks found in ${submittedDir}.`, {
        hint: "Did you forget to run 'coursehub nbgrader generate_assignment'?",
      });
    }
    const submittedNames = new Set(submittedNotebooks.map((f) => f.slice(0, -'.ipynb'.length)));
    result.missing = job.sourceNotebooks.map((n) => n.name).filter((n) => !submittedNames.has(n));
    for (const missing of result.missing) {
      job.log('warning', `No submitted file: ${join(submittedDir, `${missing}.ipynb`)}`);
    }

    // Sanitize every notebook first (cheap, no student code runs) so that the kernel for the next
    // notebook can start while this one runs. Errors are raised in notebook order, as nbgrader
    // meets them, so the notebooks before a bad one are still graded.
    const prepared: PreparedNotebook[] = [];
    for (const file of toGrade) {
      const name = file.slice(0, -'.ipynb'.length);
      try {
        const submitted = await readNotebookFile(join(submittedDir, file));
        const log = collectingLog();
        const context: AutogradeContext = {
          source: job.sourceNotebooks.find((n) => n.name === name)!,
          settings,
          log,
          executionMode: 'autograde',
          cellTimeoutSeconds: settings.cellTimeoutSeconds,
        };
        const notebook = cloneJson(submitted); // keeps the int/float spelling of points
        await runSteps(notebook, autogradeSanitizeSteps({ clearOutputs: job.launcher !== null }), context);
        prepared.push({ file, name, notebook, context, warnings: log.messages });
      } catch (error) {
        prepared.push({ file, name, error });
      }
    }
    const kernels = new Map<number, Promise<KernelSession>>();
    const startEarly = (index: number) => {
      const next = prepared[index];
      if (!job.launcher || !next?.notebook || kernels.has(index)) return;
      const starting = job.launcher.start({
        ...notebookKernelOptions(next.notebook, 'autograde'),
        workingDirectory: stage.path,
      });
      starting.catch(() => undefined); // reported when the notebook runs
      kernels.set(index, starting);
    };
    /** Execute's kernel for notebook `index`, started early if it could be; the next one starts now. */
    const kernelsFor = (launcher: KernelLauncher, index: number): NotebookKernels => ({
      start(options) {
        const own = kernels.get(index) ?? launcher.start({ ...options, workingDirectory: stage.path });
        kernels.delete(index);
        startEarly(index + 1);
        return own;
      },
    });
    try {
      for (const [index, { file, name, notebook, context, warnings, error }] of prepared.entries()) {
        if (!notebook || !context) throw error;
        for (const warning of warnings ?? []) job.log('warning', warning);
        const target = join(stage.path, file);
        if (job.launcher) context.kernels = kernelsFor(job.launcher, index);
        await runSteps(notebook, autogradeGradeSteps({ execute: job.launcher !== null }), context);
        if (context.executed) {
          result.isolation = context.executed.isolation;
          if (context.executed.kernelDied)
            job.log('warning', `The kernel died while running ${target}; later cells scored 0.`);
        }
        await writeNotebookFile(target, notebook, { mode: 0o644, replace: true });
        result.graded.push({ name, ...context.grades! });
      }
    } finally {
      // A kernel started early for a notebook that never ran is stopped here.
      await Promise.all(
        [...kernels.values()].map((k) =>
          k.then(
            (session) => session.shutdown(),
            () => undefined,
          ),
        ),
      );
    }
    await sealFolder(stage.path);
  } catch (error) {
    result.error = error;
    await stage.discard();
  }
  return result;
}
