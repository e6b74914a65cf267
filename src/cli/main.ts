/**
 * The `coursehub` command. Each subcommand lives in its own module under src/cli/ and is
 * registered here; this file only wires them together and turns errors into exit codes.
 */
import { Command, CommanderError } from 'commander';
import { CoursehubError } from '../util/errors.js';
import { registerStartCommand } from './start.js';
import { registerUsersCommand } from './users.js';
import { registerDbCommand } from './db.js';
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
registerDbCommand(program);
registerProxyCommand(program);
program.addCommand(nbgraderCommand());
registerTokenCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CoursehubError) {
    console.error(`coursehub: ${error.describe()}`);
    process.exit(1);
  }
  throw error;
}
