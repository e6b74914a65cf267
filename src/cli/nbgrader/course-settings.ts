/**
 * The course directory's nbgrader_config.py, read once per command (never executed), and the
 * gradebook that goes with it.
 */
import { resolve } from 'node:path';
import { CourseDirectory, readNbgraderConfigFile } from '../../course/index.js';
import { openCourseGradebook, type CourseGradebook } from '../../gradebook/course-gradebook.js';
import { storeGeneratedAssignment } from '../../gradebook/store-generated.js';
import type { GeneratedAssignmentRecord } from '../../grading/generate/types.js';
import {
  applyConfigOverride,
  nbgraderSettings,
  type NbgraderSettings,
} from '../../grading/nbgrader-config.js';

export interface CourseContext {
  courseDir: string;
  settings: NbgraderSettings;
  gradebook: CourseGradebook;
}

/** `overrides` are `Section.key=value` pairs from the command line (e.g. Execute.timeout=2). */
export async function openCourse(courseDirOption: string, overrides: string[] = []): Promise<CourseContext> {
  const courseDir = resolve(courseDirOption);
  const file = new CourseDirectory(courseDir).configFile;
  const config = await readNbgraderConfigFile(file);
  for (const problem of config.problems) {
    console.error(`coursehub: ${file} line ${problem.line} ignored (${problem.reason}): ${problem.text}`);
  }
  for (const override of overrides) {
    const at = override.indexOf('=');
    if (at > 0) applyConfigOverride(config, override.slice(0, at), override.slice(at + 1));
  }
  const settings = nbgraderSettings(config);
  const gradebook = await openCourseGradebook(courseDir, settings.courseId);
  return { courseDir, settings, gradebook };
}

/**
 * Stores what generate_assignment produced in the course gradebook (nbgrader's SaveCells), so
 * autograde can restore locked cells and hidden tests. Called by the generate_assignment command.
 */
export async function recordGeneratedAssignment(
  courseDir: string,
  record: GeneratedAssignmentRecord,
): Promise<void> {
  const course = await openCourse(courseDir);
  try {
    await storeGeneratedAssignment(course.gradebook.store, course.gradebook.courseId, record);
  } finally {
    await course.gradebook.close();
  }
}
