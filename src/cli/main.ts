/**
 * The `coursehub` command. Each subcommand lives in its own module under src/cli/ and is
 * registered here; boundary.ts turns every failure into one message and an exit code, and this is
 * the one place in src/ that ends the process: once the command is done, whatever still holds the
 * event loop (a stray timer, a pool) must not keep it alive.
 */
import { Command } from 'commander';
import { runCommandLine } from './boundary.js';
import { registerStartCommand } from './start.js';
import { registerUsersCommand } from './users.js';
import { registerCourseCommand } from './course.js';
import { registerDbCommand } from './db.js';
import { registerBackupCommands } from './backup.js';
import { registerProxyCommand } from './proxy.js';
import { nbgraderCommand } from './nbgrader/index.js';
import { registerTokenCommand } from './token.js';

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

process.exit(await runCommandLine(program, process.argv));
