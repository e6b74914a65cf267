/**
 * `coursehub course create COURSE_ID [--title TEXT] [--dir PATH] [--data-dir DIR]` and
 * `coursehub course enroll COURSE_ID [--instructors F] [--graders F] [--students F] [--data-dir DIR]`:
 * courses and roles in the hub's database (src/exchange/courses/). The files are the seed's CSV
 * format (id,first_name,last_name,email); missing users are created. A bad file exits 1 naming
 * file, line and reason, and enrolls nobody.
 *
 * `coursehub course import-nbgrader COURSE_DIR --course C [--dry-run]`: a class moved in from
 * nbgrader (src/hub/courses/nbgrader-import.ts); `coursehub course export-nbgrader C --to DIR`: out
 * to nbgrader (src/hub/courses/nbgrader-export.ts).
 */
import type { Command } from 'commander';
import { openHubDatabase } from '../app/open-database.js';
import { buildCoreServices } from '../app/services.js';
import { CoursehubError } from '../util/errors.js';
import { loadCliConfig, type DataOptions } from './options.js';

interface CreateOptions extends DataOptions {
  title?: string;
  dir?: string;
}

interface EnrollOptions extends DataOptions {
  instructors?: string;
  graders?: string;
  students?: string;
}

export function registerCourseCommand(program: Command): void {
  const course = program.command('course').description("Manage the hub's courses and their roles.");
  course
    .command('create')
    .description('Create a course: its directory (default DATA_DIR/courses/ID), Unix group and gradebook.')
    .argument('<course_id>', "the course id (nbgrader's course_id)")
    .option('--title <text>', "the course's title (default: its id)")
    .option('--dir <path>', 'the course directory (made when missing)')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (id: string, options: CreateOptions) => {
      await withServices(options, async ({ courses }) => {
        const made = await courses.create({ id, title: options.title, directory: options.dir });
        console.log(`created course ${made.name} (${made.title}) in ${made.directory}`);
      });
    });
  course
    .command('enroll')
    .description('Enroll instructors, graders and students from CSV files (id,first_name,last_name,email).')
    .argument('<course_id>', 'the course')
    .option('--instructors <file>', 'instructors (everything in the course)')
    .option('--graders <file>', 'graders (grading and feedback only)')
    .option('--students <file>', 'students (also listed in the gradebook)')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (id: string, options: EnrollOptions) => {
      if (!options.instructors && !options.graders && !options.students)
        throw new CoursehubError('Nobody to enroll.', {
          hint: 'Give --instructors FILE, --graders FILE, --students FILE or several.',
        });
      await withServices(options, async ({ enrollment }) => {
        const report = await enrollment.enrollFiles(id, options);
        const line = (label: string, names: string[]) =>
          console.log(`${label}: ${names.length}${names.length > 0 ? ` (${names.join(', ')})` : ''}`);
        line('users created', report.createdUsers);
        line('instructors', report.enrolled.instructor);
        line('graders', report.enrolled.grader);
        line('students', report.enrolled.student);
      });
    });
  course
    .command('import-nbgrader')
    .description(
      'Move a class in from nbgrader: its course directory and gradebook.db (every grade, comment, extension) become course C.',
    )
    .argument('<course_dir>', "nbgrader's course directory (holding gradebook.db and nbgrader_config.py)")
    .requiredOption(
      '--course <id>',
      'the course id on this hub (must match the gradebook and nbgrader_config.py)',
    )
    .option('--dry-run', 'check everything and say what would be done, changing nothing')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (courseDir: string, options: ImportOptions) => {
      await withServices(options, async ({ nbgraderImport }) => {
        const started = performance.now();
        const report = await nbgraderImport.run(courseDir, options.course, { dryRun: options.dryRun });
        const seconds = ((performance.now() - started) / 1000).toFixed(2);
        const c = report.counts;
        const what =
          `${c.assignments} assignments, ${c.notebooks} notebooks, ${c.cells} cells, ${c.students} students, ` +
          `${c.submissions} submissions, ${c.extensions} extensions, ${c.grades} grades ` +
          `(${c.manualScores} scored by hand), ${c.comments} comments (${c.manualComments} by hand), ` +
          `${c.flagged} flagged notebooks, ${report.files} files`;
        for (const { id, reason } of report.withoutUser)
          console.log(`student ${id}: grades kept, no hub user (${reason})`);
        if (report.unchanged) {
          console.log(`course ${report.course} holds this gradebook already: nothing changed (${what})`);
          return;
        }
        const shown = report.newUsers.slice(0, 20).join(', ');
        const more = report.newUsers.length > 20 ? ` and ${report.newUsers.length - 20} more` : '';
        const users = `${report.newUsers.length} new users${shown ? ` (${shown}${more})` : ''}`;
        if (report.dryRun) {
          console.log(`would create course ${report.course} in ${report.directory}: ${what}; ${users}`);
          console.log('dry run: nothing was changed');
          return;
        }
        console.log(
          `imported course ${report.course} into ${report.directory}: ${what}; ${users} in ${seconds} s`,
        );
      });
    });
  course
    .command('export-nbgrader')
    .description(
      'Move a course out to nbgrader: a course directory and a gradebook.db nbgrader 0.9.5 opens as its own.',
    )
    .argument('<course_id>', 'the course')
    .requiredOption('--to <dir>', 'the nbgrader course directory to make (must not exist)')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (id: string, options: DataOptions & { to: string }) => {
      await withServices(options, async ({ nbgraderExport }) => {
        const report = await nbgraderExport.run(id, options.to);
        const c = report.counts;
        console.log(
          `exported course ${report.course} to ${report.directory}: ${c.assignments} assignments, ${c.students} students, ` +
            `${c.submissions} submissions, ${c.extensions} extensions, ${c.grades} grades (${c.manualScores} scored by hand), ` +
            `${c.comments} comments (${c.manualComments} by hand), ${c.flagged} flagged notebooks`,
        );
      });
    });
}

interface ImportOptions extends DataOptions {
  course: string;
  dryRun?: boolean;
}

async function withServices(
  options: DataOptions,
  work: (services: ReturnType<typeof buildCoreServices>) => Promise<void>,
): Promise<void> {
  const { config } = loadCliConfig(options, { 'log.level': 'warn' });
  const opened = await openHubDatabase(config, { createDataDir: true });
  try {
    await work(buildCoreServices(opened.base));
  } finally {
    await opened.close();
  }
}
