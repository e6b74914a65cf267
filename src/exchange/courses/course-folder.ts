/**
 * A course directory made ready for the hub: the folder and nbgrader's step folders (source/,
 * release/, submitted/, autograded/, feedback/). With a course group (a hub that is root), each is
 * owned by root and that group, setgid and group-writable (2770): what an instructor makes inside
 * keeps the group, so the course's other instructors and graders can read it; others get nothing.
 * Existing files are left alone: a seed's COURSE_HOME keeps its contents as they are.
 */
import { chmod, chown, lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CourseGroup } from '../../sandbox/course-groups.js';
import { CoursehubError } from '../../util/errors.js';

export const COURSE_STEP_FOLDERS = ['source', 'release', 'submitted', 'autograded', 'feedback'] as const;
const GROUP_FOLDER_MODE = 0o2770;

export class CourseFolderError extends CoursehubError {}

export async function prepareCourseFolder(directory: string, group: CourseGroup | undefined): Promise<void> {
  for (const folder of [directory, ...COURSE_STEP_FOLDERS.map((step) => join(directory, step))]) {
    await mkdir(folder, { recursive: true });
    const info = await lstat(folder);
    if (!info.isDirectory())
      throw new CourseFolderError(`${folder} is not a folder.`, {
        hint: 'The course directory and its step folders must be real folders, not links or files.',
      });
    if (group) {
      await chown(folder, 0, group.gid);
      await chmod(folder, GROUP_FOLDER_MODE);
    }
  }
}
