/**
 * `coursehub course create COURSE_ID [--title TEXT] [--dir PATH] [--data-dir DIR]` and
 * `coursehub course enroll COURSE_ID [--instructors F] [--graders F] [--students F] [--data-dir DIR]`:
 * courses and roles in the hub's database (src/exchange/courses/). The files are the seed's CSV
 * format (id,first_name,last_name,email); missing users are created. A bad file exits 1 naming
 * file, line and reason, and enrolls nobody.
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
