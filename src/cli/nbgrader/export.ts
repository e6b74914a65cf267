/** `coursehub nbgrader export [--to FILE]`: grades.csv with nbgrader's columns and values. */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { writeFileInPlace } from '../../course/index.js';
import { gradesCsv } from '../../gradebook/export-grades-csv.js';
import { openCourse } from './course-settings.js';

export function nbgraderExportCommand(): Command {
  return new Command('export')
    .description('write the grades of every assignment and student as CSV (default COURSE/grades.csv)')
    .option('--to <file>', 'where to write the CSV')
    .option('--course-dir <dir>', 'the nbgrader course directory', '.')
    .exitOverride()
    .action(async (flags: { to?: string; courseDir: string }) => {
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
