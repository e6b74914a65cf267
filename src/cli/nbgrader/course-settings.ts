/**
 * The course directory's nbgrader_config.py, read once per command (never executed), and the
 * gradebook that goes with it. The course directory must exist; the file's warnings are printed
 * and its errors refuse the command before anything is done.
 */
import { resolve } from 'node:path';
import { CourseDirectory, readNbgraderConfigFile, requireCourseRoot } from '../../course/index.js';
import { openCourseGradebook, type CourseGradebook } from '../../gradebook/course-gradebook.js';
import { configPlace, usableNbgraderConfig } from '../../grading/config/check-config.js';
import { latePenaltyMethod, UnknownLatePenaltyMethodError } from '../../grading/late-penalty/index.js';
import {
  applyConfigOverride,
  NbgraderConfigError,
  nbgraderSettings,
  type NbgraderConfigFile,
  type NbgraderSettings,
} from '../../grading/nbgrader-config.js';

export interface CourseSettings {
  courseDir: string;
  config: NbgraderConfigFile;
  settings: NbgraderSettings;
}

export interface CourseContext extends CourseSettings {
  gradebook: CourseGradebook;
}

/** `overrides` are `Section.key=value` pairs from the command line (e.g. Execute.timeout=2). */
export async function readCourseSettings(
  courseDirOption: string,
  overrides: Array<[string, string]> = [],
): Promise<CourseSettings> {
  const courseDir = resolve(courseDirOption);
  await requireCourseRoot(courseDir);
  const config = await readNbgraderConfigFile(new CourseDirectory(courseDir).configFile);
  for (const [key, value] of overrides) applyConfigOverride(config, key, value);
  for (const warning of usableNbgraderConfig(config)) console.error(`coursehub: ${warning}`);
  return { courseDir, config, settings: nbgraderSettings(config) };
}

/**
 * The course's settings and its gradebook (created, in the existing course directory, if new).
 * `check` refuses settings before the gradebook is touched.
 */
export async function openCourse(
  courseDirOption: string,
  overrides: Array<[string, string]> = [],
  check: (course: CourseSettings) => void = () => undefined,
): Promise<CourseContext> {
  const course = await readCourseSettings(courseDirOption, overrides);
  check(course);
  const gradebook = await openCourseGradebook(course.courseDir, course.settings.courseId);
  return { ...course, gradebook };
}

/** LateSubmissionPlugin.penalty_method, refused (naming where it was set) if no such method exists. */
export function requireLatePenaltyMethod({ config, settings }: CourseSettings): void {
  try {
    latePenaltyMethod(settings.latePenaltyMethod);
  } catch (error) {
    if (!(error instanceof UnknownLatePenaltyMethodError)) throw error;
    const key = 'LateSubmissionPlugin.penalty_method';
    throw new NbgraderConfigError(
      `${configPlace(config, config.assignments.get(key)?.line ?? 0)}: c.${key} = '${settings.latePenaltyMethod}' is not a late penalty method.`,
      { hint: error.hint, cause: error },
    );
  }
}
