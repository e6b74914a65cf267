/**
 * `coursehub nbgrader generate_assignment ASSIGNMENT`: source/ASSIGNMENT -> release/ASSIGNMENT,
 * as `nbgrader generate_assignment` does, with the course's nbgrader_config.py. The release is
 * built beside its place and moved there in the same transaction that stores its cells in the
 * gradebook: a failure leaves the old release and the old rows, both.
 */
import { relative, sep } from 'node:path';
import { Command } from 'commander';
import { CourseDirectory, generateAssignment, pathExists } from '../../course/index.js';
import { storeGeneratedAssignment } from '../../gradebook/store-generated.js';
import { createKernelLauncher } from '../../kernel/index.js';
import { CoursehubError } from '../../util/errors.js';
import { openCourse } from './course-settings.js';
import { hubGenerate, withHubCourse, type HubCourseFlags } from './hub-course.js';

interface GenerateFlags extends HubCourseFlags {
  courseDir: string;
  force?: boolean;
  db: boolean;
  metadata: boolean;
  unsafeNoSandbox?: boolean;
  source_with_tests?: boolean;
}

/** The same refusal, saying also that the old release is still there. */
function keptRelease(error: unknown, release: string): unknown {
  if (!(error instanceof CoursehubError)) return error;
  const kept = `${release} is kept as it was.`;
  return new CoursehubError(error.message, {
    hint: error.hint ? `${error.hint}\n${kept}` : kept,
    cause: error,
  });
}

export function generateAssignmentCommand(): Command {
  const command = new Command('generate_assignment')
    .alias('generate')
    .description(
      'Produce the student version of an assignment: solutions and hidden tests removed, cells locked, ' +
        'checksums computed; writes COURSE/release/ASSIGNMENT/.',
    )
    .argument('<assignment>', 'the assignment folder name in COURSE/source/')
    .option('--course-dir <dir>', 'the nbgrader course directory', '.')
    .option('-f, --force', 'replace an existing release of the assignment')
    .option('--no-db', 'do not record the cells for the gradebook (nbgrader --no-db)')
    .option('--no-metadata', 'do not validate or modify cell metadata (nbgrader --no-metadata)')
    .option(
      '--source_with_tests',
      'also write source_with_tests/ASSIGNMENT: AUTOTEST tests expanded, solutions kept (for checking the tests)',
    )
    .option('--unsafe-no-sandbox', 'run the kernel that expands AUTOTEST directives WITHOUT the sandbox')
    .showHelpAfterError()
    .exitOverride();
  return withHubCourse(command).action(async (assignment: string, flags: GenerateFlags) => {
    // On the hub, generate is always --force with the cells stored (as the instructor page).
    if (flags.course) return hubGenerate(assignment, { ...flags, course: flags.course });
    const course = await openCourse(flags.courseDir);
    const { courseDir, gradebook } = course;
    const label = (path: string) => relative(courseDir, path).split(sep).join('/');
    const releaseDir = new CourseDirectory(courseDir, course.settings.courseDirectory).release(assignment);
    const release = label(releaseDir);
    const releaseExisted = await pathExists(releaseDir);
    try {
      const result = await generateAssignment({
        courseDir,
        assignment,
        settings: course.settings,
        force: flags.force ?? false,
        saveCells: flags.db,
        checkMetadata: flags.metadata,
        sourceWithTests: flags.source_with_tests ?? false,
        // Only used when a notebook has AUTOTEST directives: no kernel starts otherwise.
        launcher: createKernelLauncher({
          sandbox: flags.unsafeNoSandbox ? 'none' : 'bwrap',
          log: { warn: () => undefined },
        }),
        async publish(record, commit) {
          if (!record) return commit();
          await gradebook.store.withTransaction(async (tx) => {
            await storeGeneratedAssignment(tx, gradebook.courseId, record);
            await commit();
          });
        },
      });
      if (result.skipped) {
        console.log(`${release} already exists; left unchanged (use --force to generate it again).`);
        return;
      }
      for (const notebook of result.notebooks) console.log(`generated ${release}/${notebook}`);
      for (const file of result.files) console.log(`copied    ${release}/${file}`);
    } catch (error) {
      throw releaseExisted ? keptRelease(error, release) : error;
    } finally {
      await gradebook.close();
    }
  });
}
