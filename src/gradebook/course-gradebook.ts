/**
 * The gradebook of an nbgrader course directory used from the command line: a SQLite file
 * `coursehub-gradebook.sqlite` in the course directory. It is not named `gradebook.db` so that it
 * never collides with (or gets mistaken for) nbgrader's own SQLAlchemy gradebook, which may sit
 * next to it when a course moves from nbgrader to coursehub.
 */
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { GradebookStore } from '../db/stores/gradebook.js';
import { requireCourseRoot } from '../course/index.js';
import { CoursehubError } from '../util/errors.js';
import { ensureCourse } from './courses.js';

export const COURSE_GRADEBOOK_FILE = 'coursehub-gradebook.sqlite';

export interface CourseGradebook {
  store: GradebookStore;
  courseId: number;
  close(): Promise<void>;
}

/** The gradebook file could not be opened or read: it names the file and says what to check. */
export class GradebookFileError extends CoursehubError {}

/** SQLite's own failures that mean "this file", not a bug: said with the file's path. */
function gradebookFileError(file: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_') || code.startsWith('SQLITE_CONSTRAINT'))
    return error;
  return new GradebookFileError(`Cannot use the gradebook ${file}: ${(error as Error).message} (${code}).`, {
    hint:
      code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
        ? 'Another command is writing it: try again when it is done.'
        : 'Check that it is the gradebook coursehub made (not another file), and that it and its folder are writable.',
    cause: error,
  });
}

/** Opens (creating and migrating if needed) the course directory's gradebook. */
export async function openCourseGradebook(courseDir: string, courseName: string): Promise<CourseGradebook> {
  await requireCourseRoot(courseDir); // a gradebook is made only in a course directory that exists
  const file = join(courseDir, COURSE_GRADEBOOK_FILE);
  let handle;
  try {
    handle = openDatabase({ url: file });
  } catch (error) {
    throw gradebookFileError(file, error);
  }
  try {
    await migrateToLatest(handle.db);
    const store = new GradebookStore(handle.db);
    const courseId = await ensureCourse(store, courseName || 'default');
    return { store, courseId, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw gradebookFileError(file, error);
  }
}
