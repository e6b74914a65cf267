/**
 * The student version of an assignment as an instructor previews it: the notebooks of the course
 * directory's release/ASSIGNMENT/ (what generate wrote and what release copies, so exactly what
 * students will fetch), read as release reads them (never following a link an instructor left
 * there, within the exchange's limits). Instructors and graders only: a student never sees a
 * release before it is released.
 */
import { CourseDirectory } from '../course/course-directory.js';
import { parseNotebook, type Notebook } from '../notebook/index.js';
import { checkFolderName } from './courses/course-names.js';
import { NotReleasedError } from './errors.js';
import { courseFor, GRADING_ROLES, type Actor, type ExchangeContext } from './exchange-context.js';
import { readFolderFiles } from './folder-files.js';

export interface ReleasePreview {
  assignment: string;
  /** The notebooks, by their path in the release folder, sorted. */
  notebooks: { path: string; notebook: Notebook }[];
  /** The other files students get, by path. */
  files: string[];
}

export async function previewRelease(
  context: ExchangeContext,
  courseId: string,
  assignment: string,
  actor: Actor,
): Promise<ReleasePreview> {
  const course = await courseFor(context, courseId, actor, GRADING_ROLES);
  checkFolderName('assignment', assignment);
  const files = await readFolderFiles(new CourseDirectory(course.directory).release(assignment), {
    ignore: context.ignore,
    limits: context.limits,
    label: `release/${assignment}`,
  });
  if (files.length === 0)
    throw new NotReleasedError(
      `There is no student version of ${assignment} yet (release/${assignment} is missing or empty).`,
      {
        hint: 'Generate the assignment first; the preview shows what Generate wrote.',
      },
    );
  const notebooks = files
    .filter((file) => file.path.endsWith('.ipynb'))
    .map((file) => ({
      path: file.path,
      notebook: parseNotebook(file.data, { name: `release/${assignment}/${file.path}` }),
    }));
  return {
    assignment,
    notebooks,
    files: files.filter((file) => !file.path.endsWith('.ipynb')).map((file) => file.path),
  };
}
