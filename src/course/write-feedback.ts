/**
 * One student's feedback of one assignment, from autograded/STUDENT/ASSIGNMENT into
 * feedback/STUDENT/ASSIGNMENT, laid out as nbgrader's GenerateFeedback lays it out: the other
 * files of the autograded folder copied (timestamp.txt and jupyter.png included, CourseDirectory
 * .ignore honoured, links never followed), then NOTEBOOK.html per notebook, every file mode 0644.
 * Everything is built beside the target (stageBeside) and renamed into place when complete, so a
 * failure or a kill leaves the old feedback or none, never half of it.
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  feedbackSteps,
  type FeedbackContext,
  type FeedbackSettings,
  type NotebookGradebookRecord,
} from '../grading/feedback/index.js';
import { collectingLog } from '../grading/pipeline/step-log.js';
import { runSteps } from '../grading/pipeline/step.js';
import { notebookLanguage, renderFeedbackPage } from '../render/index.js';
import { CoursehubError } from '../util/errors.js';
import type { CourseDirectory } from './course-directory.js';
import { copyFiles, readNotebookFile } from './course-files.js';
import { removeStaleStages, stageBeside } from './staged-folder.js';

export class FeedbackNotGradedError extends CoursehubError {}

/** Feedback files are readable by everyone and writable by their owner, as nbgrader's (644). */
export const FEEDBACK_FILE_MODE = 0o644;

/** The label of the folders feedback is built in beside feedback/STUDENT/ASSIGNMENT. */
const PARTIAL = 'partial';

export interface FeedbackJob {
  course: CourseDirectory;
  assignment: string;
  student: string;
  /** The gradebook's record of each notebook of this submission, by notebook name. */
  gradebook: (notebook: string) => NotebookGradebookRecord | undefined;
  settings: FeedbackSettings;
  log: (level: 'info' | 'warning' | 'error', message: string) => void;
}

export interface WrittenFeedback {
  /** Where the feedback now is. */
  folder: string;
  /** The files written, relative POSIX paths, sorted. */
  files: string[];
}

export async function writeFeedback(job: FeedbackJob): Promise<WrittenFeedback> {
  const { course, assignment, student } = job;
  const source = course.autograded(student, assignment);
  const target = course.feedback(student, assignment);
  await removeStaleStages(target, PARTIAL);
  const stage = await stageBeside(target, PARTIAL);
  try {
    const dataFiles = await course.dataFiles(source);
    for (const file of dataFiles) job.log('info', `Copying ${join(source, file)} -> ${join(target, file)}`);
    await copyFiles(source, stage.path, dataFiles, { mode: FEEDBACK_FILE_MODE });

    const notebooks = await course.notebooks(source);
    const written: string[] = [];
    for (const file of notebooks) {
      const name = file.slice(0, -'.ipynb'.length);
      job.log('info', `Converting notebook ${join(source, file)}`);
      const gradebook = job.gradebook(name);
      if (!gradebook)
        throw new FeedbackNotGradedError(
          `Notebook '${name}' of '${assignment}' by '${student}' is not in the gradebook.`,
          { hint: `Autograde it first: coursehub nbgrader autograde ${assignment} --student ${student}` },
        );
      const notebook = await readNotebookFile(join(source, file), course.label(join(source, file)));
      const log = collectingLog();
      const context: FeedbackContext = { notebookId: name, gradebook, settings: job.settings, log };
      await runSteps(notebook, feedbackSteps(job.settings), context);
      for (const warning of log.messages) job.log('warning', warning);
      const feedback = context.feedback!;
      const page = renderFeedbackPage({
        notebookName: name,
        notebook,
        cells: feedback.cells,
        score: feedback.score,
        maxScore: feedback.maxScore,
        latePenalty: feedback.latePenalty,
        language: notebookLanguage(notebook),
        filesBeside: new Set(dataFiles),
      });
      const html = `${name}.html`;
      // A student's own file of that name (copied above) gives way, as nbgrader overwrites it.
      await rm(join(stage.path, html), { force: true, recursive: true });
      await writeFile(join(stage.path, html), page, { mode: FEEDBACK_FILE_MODE, flag: 'wx' });
      await chmod(join(stage.path, html), FEEDBACK_FILE_MODE); // whatever the umask
      job.log('info', `Writing ${Buffer.byteLength(page)} bytes to ${join(target, html)}`);
      written.push(html);
    }
    job.log('info', `Setting destination file permissions to ${FEEDBACK_FILE_MODE.toString(8)}`);
    await stage.commit();
    return { folder: target, files: [...new Set([...dataFiles, ...written])].sort() };
  } catch (error) {
    await stage.discard();
    throw error;
  }
}
