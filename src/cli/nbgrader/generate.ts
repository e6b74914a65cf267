/**
 * `coursehub nbgrader generate_assignment ASSIGNMENT`: source/ASSIGNMENT -> release/ASSIGNMENT,
 * as `nbgrader generate_assignment` does, with the course's nbgrader_config.py.
 */
import { relative, resolve, sep } from 'node:path';
import { Command } from 'commander';
import { generateAssignment } from '../../course/index.js';
import { createKernelLauncher } from '../../kernel/index.js';
import { recordGeneratedAssignment } from './course-settings.js';

interface GenerateFlags {
  courseDir: string;
  force?: boolean;
  db: boolean;
  metadata: boolean;
  unsafeNoSandbox?: boolean;
  source_with_tests?: boolean;
}

export function generateAssignmentCommand(): Command {
  return new Command('generate_assignment')
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
    .exitOverride()
    .action(async (assignment: string, flags: GenerateFlags) => {
      const courseDir = resolve(flags.courseDir);
      const result = await generateAssignment({
        courseDir,
        assignment,
        force: flags.force ?? false,
        saveCells: flags.db,
        checkMetadata: flags.metadata,
        sourceWithTests: flags.source_with_tests ?? false,
        // Only used when a notebook has AUTOTEST directives: no kernel starts otherwise.
        launcher: createKernelLauncher({
          sandbox: flags.unsafeNoSandbox ? 'none' : 'bwrap',
          log: { warn: () => undefined },
        }),
      });
      for (const problem of result.configProblems)
        console.error(
          `coursehub: nbgrader_config.py line ${problem.line} ignored (${problem.reason}): ${problem.text}`,
        );
      const release = relative(courseDir, result.releaseDir).split(sep).join('/');
      if (result.skipped) {
        console.log(`${release} already exists; left unchanged (use --force to generate it again).`);
        return;
      }
      if (result.record) await recordGeneratedAssignment(courseDir, result.record);
      for (const notebook of result.notebooks) console.log(`generated ${release}/${notebook}`);
      for (const file of result.files) console.log(`copied    ${release}/${file}`);
    });
}
