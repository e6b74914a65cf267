/** `coursehub nbgrader export [--to FILE]`: grades.csv with nbgrader's columns and values. */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { writeFileInPlace } from '../../course/index.js';
import { gradesCsv } from '../../gradebook/export-grades-csv.js';
import { openCourse } from './course-settings.js';
import { hubExport, withHubCourse, type HubCourseFlags } from './hub-course.js';

export function nbgraderExportCommand(): Command {
  const command = new Command('export')
    .description('write the grades of every assignment and student as CSV (default COURSE/grades.csv)')
    .option('--to <file>', 'where to write the CSV')
    .option('--course-dir <dir>', 'the nbgrader course directory', '.')
    .exitOverride();
  return withHubCourse(command).action(async (flags: HubCourseFlags & { to?: string; courseDir: string }) => {
    if (flags.course) return hubExport({ ...flags, course: flags.course });
    const course = await openCourse(flags.courseDir);
    try {
      const target = flags.to ? resolve(flags.to) : join(course.courseDir, 'grades.csv');
      const text = await gradesCsv(course.gradebook.store, course.gradebook.courseId);
      await writeFileInPlace(target, text);
      console.log(`Exporting grades to ${target}`);
    } finally {
      await course.gradebook.close();
    }
  });
}
