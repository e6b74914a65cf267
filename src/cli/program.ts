/**
 * The `coursehub` command tree, built without running it: main.ts runs it, and the CLI reference
 * (docs/reference/cli.md, src/cli/docs/) is written from the same tree's help.
 */
import { Command } from 'commander';
import { registerStartCommand } from './start.js';
import { registerUsersCommand } from './users.js';
import { registerCourseCommand } from './course.js';
import { registerDbCommand } from './db.js';
import { registerBackupCommands } from './backup.js';
import { registerProxyCommand } from './proxy.js';
import { nbgraderCommand } from './nbgrader/index.js';
import { registerTokenCommand } from './token.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('coursehub')
    .description('A multi-user Jupyter hub for teaching, with nbgrader-compatible assignments.')
    .showHelpAfterError()
    .exitOverride();

  // Subcommands register themselves on `program` (one import + one call per module).
  registerStartCommand(program);
  registerUsersCommand(program);
  registerCourseCommand(program);
  registerDbCommand(program);
  registerBackupCommands(program);
  registerProxyCommand(program);
  program.addCommand(nbgraderCommand());
  registerTokenCommand(program);
  return program;
}
