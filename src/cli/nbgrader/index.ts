/**
 * The `coursehub nbgrader` command group: nbgrader-compatible commands working on an nbgrader
 * course directory. Each subcommand lives in its own module here and adds itself with
 * `nbgraderCommand().addCommand(...)`; main.ts registers the group once.
 */
import { Command } from 'commander';
import { generateAssignmentCommand } from './generate.js';
import { validateCommand } from './validate.js';
import { nbgraderAutogradeCommand } from './autograde.js';
import { nbgraderDbCommand } from './db.js';
import { nbgraderExportCommand } from './export.js';
import { generateFeedbackCommand } from './generate-feedback.js';
import { nbgraderExchangeCommands } from './exchange.js';

const nbgrader = new Command('nbgrader')
  .description('nbgrader-compatible assignment commands on an nbgrader course directory')
  .showHelpAfterError()
  .exitOverride();

nbgrader.addCommand(generateAssignmentCommand());
nbgrader.addCommand(validateCommand());
nbgrader.addCommand(nbgraderAutogradeCommand());
nbgrader.addCommand(generateFeedbackCommand());
nbgrader.addCommand(nbgraderExportCommand());
nbgrader.addCommand(nbgraderDbCommand());
// The exchange: these talk to a running hub (--hub, --token), not to a course directory.
for (const command of nbgraderExchangeCommands()) nbgrader.addCommand(command);

/** The one `nbgrader` command group; call `.addCommand(...)` on it to add a subcommand. */
export function nbgraderCommand(): Command {
  return nbgrader;
}
