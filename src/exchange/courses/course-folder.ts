/**
 * A course directory made ready for the hub: the folder and nbgrader's step folders (source/,
 * release/, submitted/, autograded/, feedback/). With a course group (a hub that is root), each is
 * owned by root and that group, setgid and group-writable (2770): what an instructor makes inside
 * keeps the group, so the course's other instructors and graders can read it; others get nothing.
 * Only folders made here get the group and mode: an existing folder (a seed's COURSE_HOME) keeps
 * its owner, mode and contents, so a wrong path can never hand someone's folder to a course.
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
    const existing = await lstat(folder).catch(() => undefined);
    if (existing && !existing.isDirectory())
      throw new CourseFolderError(`${folder} is not a folder.`, {
        hint: 'The course directory and its step folders must be real folders, not links or files.',
      });
    if (existing) continue; // someone's folder: its owner and mode stay theirs
    await mkdir(folder, { recursive: true });
    if (group) {
      await chown(folder, 0, group.gid);
      await chmod(folder, GROUP_FOLDER_MODE);
    }
  }
}
