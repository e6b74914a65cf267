/**
 * `coursehub nbgrader autograde ASSIGNMENT`: grades submitted/STUDENT/ASSIGNMENT into
 * autograded/STUDENT/ASSIGNMENT with nbgrader's semantics, in sandboxed kernels, several students at
 * once. Exits 1 when any submission failed to autograde, as nbgrader does.
 */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { autogradeAssignment } from '../../gradebook/autograde/autograde-assignment.js';
import { AUTOGRADE_KERNEL_TIMINGS, autogradeSettingsFrom } from '../../grading/autograde/settings.js';
import { createKernelLauncher } from '../../kernel/index.js';
import { openCourse, requireLatePenaltyMethod } from './course-settings.js';
import { jsonReport, progressPrinter, summaryTable } from './autograde-report.js';
import { hubAutograde, withHubCourse, type HubCourseFlags } from './hub-course.js';

interface AutogradeFlags extends HubCourseFlags {
  student?: string[];
  force?: boolean;
  create?: boolean;
  execute: boolean;
  courseDir: string;
  unsafeNoSandbox?: boolean;
  json?: boolean;
  parallel?: number;
  timeout?: number;
}

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return n;
};

export function nbgraderAutogradeCommand(): Command {
  const command = new Command('autograde')
    .description(
      'Autograde submitted/STUDENT/ASSIGNMENT into autograded/ and record the grades in the gradebook.',
    )
    .argument('<assignment>', 'the assignment to grade')
    .option('--student <id...>', 'only these students')
    .option('-f, --force', 'grade again even if autograded/ already holds a result')
    .option('--create', 'create students missing from the gradebook (always done, as in nbgrader 0.9)')
    .option('--no-execute', 'do not run the notebooks: score the outputs they were submitted with')
    .option('--course-dir <dir>', 'the nbgrader course directory', '.')
    .option('--unsafe-no-sandbox', 'run student code WITHOUT the sandbox, with the grader’s rights')
    .option('--json', 'print the result as JSON on stdout')
    .option(
      '--parallel <n>',
      'how many submissions to grade at once (default: number of cores)',
      positiveInteger,
    )
    .option('--timeout <seconds>', 'per-cell timeout (overrides Execute.timeout)', positiveInteger)
    .exitOverride();
  return withHubCourse(command).action(async (assignment: string, flags: AutogradeFlags) => {
    if (flags.course) return hubAutograde(assignment, { ...flags, course: flags.course });
    const course = await openCourse(
      flags.courseDir,
      flags.timeout ? [['Execute.timeout', String(flags.timeout)]] : [],
      requireLatePenaltyMethod,
    );
    try {
      const settings = autogradeSettingsFrom(course.settings);
      const sandbox = flags.unsafeNoSandbox ? 'none' : 'bwrap';
      const log = (level: 'info' | 'warning' | 'error', message: string) => {
        if (level === 'info' && flags.json) return;
        // On a terminal, clear the progress line before printing over it.
        const clear = process.stderr.isTTY ? '\r\u001b[2K' : '';
        process.stderr.write(`${clear}[${level.toUpperCase()}] ${message}\n`);
      };
      // The isolation is always logged, --json or not: every grading run must say how it ran.
      const announce = (message: string) =>
        process.stderr.write(`[${flags.unsafeNoSandbox ? 'WARNING' : 'INFO'}] ${message}\n`);
      announce(
        flags.execute
          ? `Isolation: ${sandbox === 'bwrap' ? 'bubblewrap sandbox, one fresh kernel per notebook' : 'NONE (--unsafe-no-sandbox): student code runs with your rights'}`
          : 'Isolation: not applicable (--no-execute: no student code runs)',
      );
      const concurrency = flags.parallel ?? availableParallelism();
      const result = await autogradeAssignment({
        store: course.gradebook.store,
        courseId: course.gradebook.courseId,
        courseDir: course.courseDir,
        assignment,
        students: flags.student,
        force: flags.force ?? false,
        settings,
        launcher: flags.execute
          ? createKernelLauncher({
              sandbox,
              log: { warn: () => undefined },
              timings: AUTOGRADE_KERNEL_TIMINGS,
            })
          : null,
        concurrency,
        log,
        onProgress: flags.json ? undefined : progressPrinter(process.stderr),
      });
      if (result.isolation) announce(`Kernels ran under: ${result.isolation}`);
      if (flags.json) console.log(jsonReport(assignment, result));
      else console.log(summaryTable(result.outcomes));
      if (result.outcomes.some((o) => o.status === 'failed')) process.exitCode = 1;
    } finally {
      await course.gradebook.close();
    }
  });
}
