/**
 * `coursehub nbgrader validate NOTEBOOK...`: runs each notebook and prints nbgrader's validation
 * report. Like nbgrader it exits 0 when the report says the notebook fails (the report is the
 * answer); it exits 1 only when a notebook cannot be validated at all. Ctrl-C or SIGTERM stops the
 * kernel and removes the scratch copy before the command ends.
 */
import { Command } from 'commander';
import { validateNotebookFile } from '../../course/index.js';
import { createKernelLauncher } from '../../kernel/index.js';
import { CoursehubError } from '../../util/errors.js';
import { interruptSignal } from '../interrupt.js';
import { readCourseSettings } from './course-settings.js';

interface ValidateFlags {
  invert?: boolean;
  ignoreChecksums?: boolean;
  timeout?: string;
  unsafeNoSandbox?: boolean;
  courseDir: string;
}

export function validateCommand(): Command {
  return new Command('validate')
    .description(
      "Run notebooks and report failing tests, unanswered questions and changed read-only cells (nbgrader's validate).",
    )
    .argument('<notebook...>', 'notebook files to validate')
    .option('--invert', 'report the tests that pass instead of those that fail')
    .option(
      '--ignore-checksums',
      'do not complain about changed read-only or test cells (Validator.ignore_checksums)',
    )
    .option(
      '--timeout <seconds>',
      'seconds each cell may run (Execute.timeout; default from nbgrader_config.py or 30; 0 or -1: no limit)',
    )
    .option('--course-dir <dir>', 'where to read nbgrader_config.py from', '.')
    .option('--unsafe-no-sandbox', 'run the notebook WITHOUT the sandbox, with your own rights')
    .addHelpText(
      'after',
      '\nnbgrader-style settings are accepted too, e.g. --Validator.ignore_checksums=True --Execute.timeout=2',
    )
    .allowUnknownOption()
    .showHelpAfterError()
    .exitOverride()
    .action(async (args: string[], flags: ValidateFlags) => {
      const overrides: Array<[string, string]> = [];
      const notebooks: string[] = [];
      for (const arg of args) {
        const setting = /^--([A-Za-z_]\w*\.[A-Za-z_]\w*)=(.*)$/s.exec(arg);
        if (setting) overrides.push([setting[1]!, setting[2]!]);
        else if (arg === '--debug')
          continue; // the boundary's own option
        else if (arg.startsWith('-'))
          throw new CoursehubError(`unknown option '${arg}'`, {
            hint: 'See coursehub nbgrader validate --help.',
          });
        else notebooks.push(arg);
      }
      if (flags.ignoreChecksums) overrides.push(['Validator.ignore_checksums', 'True']);
      if (flags.timeout !== undefined) overrides.push(['Execute.timeout', flags.timeout]);
      const { settings } = await readCourseSettings(flags.courseDir, overrides);
      const launcher = createKernelLauncher({
        sandbox: flags.unsafeNoSandbox ? 'none' : 'bwrap',
        log: { warn: () => undefined },
      });
      const signal = interruptSignal();
      for (const notebook of notebooks) {
        const validation = await validateNotebookFile(notebook, {
          launcher,
          cellTimeoutSeconds: settings.executeTimeout,
          invert: flags.invert ?? false,
          ignoreChecksums: settings.ignoreChecksums,
          validateAll: settings.validateAll,
          signal,
          onSkip: (path, reason) => console.error(`coursehub: ${path} was not copied for the run: ${reason}`),
        });
        process.stdout.write(validation.report);
      }
    });
}
