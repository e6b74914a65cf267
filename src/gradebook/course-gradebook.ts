/**
 * The gradebook of an nbgrader course directory used from the command line: a SQLite file
 * `coursehub-gradebook.sqlite` in the course directory. It is not named `gradebook.db` so that it
 * never collides with (or gets mistaken for) nbgrader's own SQLAlchemy gradebook, which may sit
 * next to it when a course moves from nbgrader to coursehub.
 */
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '../db/database.js';
import { GradebookStore } from '../db/stores/gradebook.js';
import { ensureCourse } from './courses.js';

export const COURSE_GRADEBOOK_FILE = 'coursehub-gradebook.sqlite';

export interface CourseGradebook {
  store: GradebookStore;
  courseId: number;
  close(): Promise<void>;
}

/** Opens (creating and migrating if needed) the course directory's gradebook. */
export async function openCourseGradebook(courseDir: string, courseName: string): Promise<CourseGradebook> {
  const handle = openDatabase({ url: join(courseDir, COURSE_GRADEBOOK_FILE) });
  try {
    await migrateToLatest(handle.db);
    const store = new GradebookStore(handle.db);
    const courseId = await ensureCourse(store, courseName || 'default');
    return { store, courseId, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
