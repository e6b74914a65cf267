/**
 * Moving a class out to nbgrader: `coursehub course export-nbgrader C --to DIR` writes an nbgrader
 * course directory: the course's files (source/, release/, submitted/, autograded/, feedback/,
 * nbgrader_config.py) and a gradebook.db nbgrader 0.9.5 opens as its own (src/db/nbgrader/
 * write-gradebook.ts) with every assignment, cell, student, submission, extension, grade, comment,
 * flag and late penalty of the hub's gradebook. Built beside DIR and renamed into place: a failure
 * leaves no DIR; an existing DIR is refused, never merged into.
 */
import { lstat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NBGRADER_CONFIG_FILE } from '../../course/nbgrader-config-file.js';
import { copyTree } from '../../course/copy-tree.js';
import { stageBeside } from '../../course/staged-folder.js';
import type { CourseStores } from '../../db/stores/course-stores.js';
import { NbgraderGradebookError } from '../../db/nbgrader/errors.js';
import { countGradebook } from '../../db/nbgrader/model.js';
import { writeNbgraderGradebook } from '../../db/nbgrader/write-gradebook.js';
import { COURSE_STEP_FOLDERS } from '../../exchange/courses/course-folder.js';
import { CourseNotFoundError } from '../../exchange/errors.js';
import { NBGRADER_GRADEBOOK_FILE } from './nbgrader-import.js';

export interface NbgraderExportReport {
  course: string;
  directory: string;
  counts: ReturnType<typeof countGradebook>;
}

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false, // absent
  );

export class NbgraderExport {
  constructor(private readonly stores: CourseStores) {}

  async run(courseId: string, to: string): Promise<NbgraderExportReport> {
    const course = await this.stores.courses.findByName(courseId);
    if (!course)
      throw new CourseNotFoundError(`There is no course ${JSON.stringify(courseId)}.`, {
        hint: 'Check the id (the course must exist on this hub).',
      });
    const target = resolve(to);
    if (await exists(target))
      throw new NbgraderGradebookError(`${target} exists already; nothing was written.`, {
        hint: 'Give a folder that does not exist yet: the nbgrader course directory is made there.',
      });
    const gradebookCourse = await this.stores.gradebook.courses.ensureCourse(course.name);
    const book = await this.stores.gradebook.transfer.read(gradebookCourse, course.name);

    const staged = await stageBeside(target, 'export');
    try {
      for (const name of [...COURSE_STEP_FOLDERS, NBGRADER_CONFIG_FILE])
        if (await exists(join(course.directory, name)))
          await copyTree(join(course.directory, name), join(staged.path, name));
      if (!(await exists(join(staged.path, NBGRADER_CONFIG_FILE))))
        await writeFile(
          join(staged.path, NBGRADER_CONFIG_FILE),
          `c = get_config()  # noqa\nc.CourseDirectory.course_id = ${JSON.stringify(course.name)}\n`,
        );
      writeNbgraderGradebook(join(staged.path, NBGRADER_GRADEBOOK_FILE), book);
      await staged.commit();
    } catch (error) {
      await staged.discard();
      throw error;
    }
    return { course: course.name, directory: target, counts: countGradebook(book) };
  }
}
