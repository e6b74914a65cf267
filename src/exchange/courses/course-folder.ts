/**
 * A course directory made ready for the hub: the folder and nbgrader's step folders (source/,
 * release/, submitted/, autograded/, feedback/). With a course group (a hub that is root), each is
 * owned by root and that group, setgid and group-writable (2770): what an instructor makes inside
 * keeps the group, so the course's other instructors and graders can read it; others get nothing.
 * Only folders made here get the group and mode: an existing folder (a seed's COURSE_HOME) keeps
 * its owner, mode and contents, so a wrong path can never hand someone's folder to a course.
 * When such a folder is not the course group's (or not group-writable and setgid), the course's
 * instructors and graders cannot work in it together: `groupAccessAdvice` says so, with the
 * commands that would fix it, for the start log; coursehub never runs them itself.
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

/** A path quoted for a POSIX shell. */
const shellQuoted = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

/**
 * The commands that would give the course group the course directory (what coursehub does for a
 * folder it makes), when the existing `directory` is not the group's or lacks group rwx and
 * setgid; undefined when it has them, or without a group (a hub that is not root).
 */
export async function groupAccessAdvice(
  directory: string,
  group: CourseGroup | undefined,
): Promise<string | undefined> {
  if (!group) return undefined;
  const info = await lstat(directory).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  if (info.gid === group.gid && (info.mode & GROUP_FOLDER_MODE & 0o2070) === 0o2070) return undefined;
  const dir = shellQuoted(directory);
  return `chgrp -R ${group.name} ${dir} && chmod -R g+rwX ${dir} && find ${dir} -type d -exec chmod g+s {} +`;
}
