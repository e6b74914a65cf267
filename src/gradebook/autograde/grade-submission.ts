/**
 * Autogrades one student's submission of one assignment into a private temporary folder next to
 * its final place (`autograded/STUDENT/.ASSIGNMENT.partial-*`). Nothing is visible under the real
 * name until the caller has stored the grades and renamed the folder, so a grader killed at any
 * moment leaves either the old result or none, never half a notebook.
 */
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, lchown, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  executeNotebook,
  startNotebookKernel,
  type ExecuteNotebookOptions,
  type ExecuteNotebookReport,
} from '../../grading/execute-notebook.js';
import type { KernelLauncher, KernelSession } from '../../grading/execution.js';
import {
  gradeSanitized,
  sanitizeSubmission,
  type AutogradeSettings,
  type NotebookGrades,
} from '../../grading/autograde/index.js';
import { parseNotebook, writeNotebook } from '../../notebook/index.js';
import type { SourceNotebookRecord } from '../source-notebooks.js';
import { findFiles, ignoreMatcher, readTimestampFile, type CourseLayout } from './course-files.js';
import { formatNaiveUtc, parseUtc } from '../timestamps.js';
import { CoursehubError } from '../../util/errors.js';

export class SubmissionSkippedError extends CoursehubError {}

export interface SubmissionJob {
  layout: CourseLayout;
  assignment: string;
  student: string;
  sourceNotebooks: SourceNotebookRecord[];
  settings: AutogradeSettings;
  /** null: --no-execute (stored outputs are scored as they are). */
  launcher: KernelLauncher | null;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export interface GradedSubmission {
  /** The folder holding the finished result, to be renamed into place. */
  workDir: string;
  timestamp: string | null;
  graded: Array<{ name: string } & NotebookGrades>;
  missing: string[];
  isolation: string | null;
  /** Set when the submission failed; `graded` then holds the notebooks finished before it. */
  error?: unknown;
}

async function readTimestamp(job: SubmissionJob, dir: string): Promise<string | null> {
  const text = await readTimestampFile(dir);
  if (text === null) return null;
  try {
    return formatNaiveUtc(parseUtc(text));
  } catch {
    job.log('warning', `Invalid timestamp string: ${dir}/timestamp.txt`);
    return null;
  }
}

async function copyInto(from: string, to: string, files: string[]): Promise<void> {
  for (const file of files) {
    const target = join(to, file);
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await copyFile(join(from, file), target);
  }
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
    if (uid !== undefined && gid !== undefined) await lchown(path, uid, gid).catch(() => undefined);
    if (entry.isSymbolicLink()) await rm(path, { force: true });
    else if (entry.isDirectory()) await sealFolder(path);
    else if (entry.isFile()) await chmod(path, 0o444);
  }
  if (uid !== undefined && gid !== undefined) await lchown(dir, uid, gid).catch(() => undefined);
}

/** Writes a file that must be ours: whatever the kernel left at that name is removed first. */
async function writeOwnFile(path: string, text: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await writeFile(path, text, { flag: 'wx', mode: 0o644 });
}

/** Removes what a killed earlier run left behind for this student and assignment. */
export async function removeStalePartials(layout: CourseLayout, student: string, assignment: string) {
  const parent = dirname(layout.autograded(student, assignment));
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const name of entries) {
    if (name.startsWith(`.${assignment}.partial-`))
      await rm(join(parent, name), { recursive: true, force: true });
  }
}

export async function gradeSubmission(job: SubmissionJob): Promise<GradedSubmission> {
  const { layout, assignment, student, settings } = job;
  const submittedDir = layout.submitted(student, assignment);
  const finalDir = layout.autograded(student, assignment);
  const workDir = join(dirname(finalDir), `.${assignment}.partial-${randomUUID()}`);
  await mkdir(workDir, { recursive: true });
  const result: GradedSubmission = {
    workDir,
    timestamp: await readTimestamp(job, submittedDir),
    graded: [],
    missing: [],
    isolation: null,
  };
  try {
    const ignored = ignoreMatcher(settings.ignoredNames);
    const notNotebook = (name: string) => ignored(name) || name.endsWith('.ipynb');
    await copyInto(submittedDir, workDir, await findFiles(submittedDir, notNotebook));
    const sourceDir = layout.source(assignment);
    const excluded = new Set(settings.excludeOverwriting[assignment] ?? []);
    const sourceFiles = (await findFiles(sourceDir, notNotebook)).filter((f) => !excluded.has(f));
    if (sourceFiles.length > 0)
      job.log('info', 'Overwriting files with master versions from the source directory');
    await copyInto(sourceDir, workDir, sourceFiles);

    const submittedNotebooks = (await readdir(submittedDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.ipynb'))
      .map((e) => e.name)
      .sort();
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
    const prepared: Array<{
      file: string;
      name: string;
      sanitized: ReturnType<typeof sanitizeSubmission> | undefined;
      error: unknown;
    }> = [];
    for (const file of toGrade) {
      const name = file.slice(0, -'.ipynb'.length);
      try {
        const source = job.sourceNotebooks.find((n) => n.name === name)!;
        const submitted = parseNotebook(await readFile(join(submittedDir, file)), {
          name: join(submittedDir, file),
        });
        const sanitized = sanitizeSubmission(submitted, source, settings, {
          clearOutputs: job.launcher !== null,
        });
        prepared.push({ file, name, sanitized, error: undefined });
      } catch (error) {
        prepared.push({ file, name, sanitized: undefined, error });
      }
    }
    const executeOptions = (): ExecuteNotebookOptions => ({
      launcher: job.launcher!,
      workingDirectory: workDir,
      cellTimeoutSeconds: settings.cellTimeoutSeconds,
      mode: 'autograde',
    });
    const kernels = new Map<number, Promise<KernelSession>>();
    const startKernel = (index: number) => {
      const next = prepared[index];
      if (!job.launcher || !next?.sanitized || kernels.has(index)) return;
      const starting = startNotebookKernel(next.sanitized.notebook, executeOptions());
      starting.catch(() => undefined); // reported when the notebook runs
      kernels.set(index, starting);
    };
    try {
      for (const [index, { file, name, sanitized, error }] of prepared.entries()) {
        if (sanitized === undefined) throw error;
        for (const warning of sanitized.warnings) job.log('warning', warning);
        const target = join(workDir, basename(file));
        let report: ExecuteNotebookReport | null = null;
        const graded = await gradeSanitized(sanitized.notebook, settings, {
          execute: job.launcher
            ? async (notebook) => {
                startKernel(index);
                startKernel(index + 1);
                const session = kernels.get(index)!;
                kernels.delete(index);
                report = await executeNotebook(notebook, { ...executeOptions(), session });
              }
            : undefined,
        });
        const executed = report as ExecuteNotebookReport | null;
        if (executed) {
          result.isolation = executed.isolation;
          if (executed.kernelDied)
            job.log('warning', `The kernel died while running ${target}; later cells scored 0.`);
        }
        await writeOwnFile(target, writeNotebook(graded.notebook));
        result.graded.push({ name, ...graded.grades });
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
    await sealFolder(workDir);
  } catch (error) {
    result.error = error;
    await rm(workDir, { recursive: true, force: true });
  }
  return result;
}

export async function pathExists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null)) !== null;
}
