/**
 * `coursehub token create USERNAME [--scopes S,...] [--note TEXT] [--expires-in SECONDS]
 * [--data-dir DIR] [--config FILE]`: makes an API token for a user and prints it on the last line
 * of stdout (as `jupyterhub token` does), so scripts can take it with `tail -n1`. Everything else
 * (logs, the summary) goes to stderr.
 */
import type { Command } from 'commander';
import { pino } from 'pino';
import { openHubDatabase } from '../app/open-database.js';
import { buildCoreServices } from '../app/services.js';
import { CoursehubError } from '../util/errors.js';
import { loadCliConfig, type DataOptions } from './options.js';

export class TokenCommandError extends CoursehubError {}

interface CreateOptions extends DataOptions {
  scopes?: string;
  note?: string;
  expiresIn?: string;
}

export function registerTokenCommand(program: Command): void {
  const token = program.command('token').description('Manage API tokens.');
  token
    .command('create')
    .description('Create an API token for USERNAME and print it on the last line.')
    .argument('<username>', 'the user the token acts as')
    .option('--scopes <list>', 'comma-separated scopes (default: everything the user may do)')
    .option('--note <text>', 'what the token is for', 'Requested via coursehub token create')
    .option('--expires-in <seconds>', 'seconds until it stops working (default: never)')
    .option('--data-dir <dir>', 'data directory (default from the config)')
    .option('--config <file>', 'config file (YAML or JSON)')
    .action(async (username: string, options: CreateOptions) => {
      const expiresIn = options.expiresIn === undefined ? undefined : Number(options.expiresIn);
      if (expiresIn !== undefined && !(Number.isFinite(expiresIn) && expiresIn > 0))
        throw new TokenCommandError(
          `--expires-in must be a positive number of seconds, got "${options.expiresIn}".`,
        );
      const scopes = options.scopes
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { config } = loadCliConfig(options);
      // Logs to stderr: stdout carries only the token (and nothing after it).
      const log = pino({ level: config.log.level }, pino.destination(2));
      const opened = await openHubDatabase(config, { log, createDataDir: false });
      try {
        const { tokens } = buildCoreServices(opened.base);
        const { token: secret, record } = await tokens.create({
          user: username.trim().toLowerCase(),
          note: options.note,
          scopes,
          expiresInSeconds: expiresIn,
        });
        process.stderr.write(
          `Created API token a${record.id} for ${record.owner.name} (scopes: ${record.scopes.join(', ')}` +
            `${record.expiresAt ? `; expires ${record.expiresAt}` : ''}). It is shown only now:\n`,
        );
        process.stdout.write(`${secret}\n`);
      } finally {
        await opened.close();
      }
    });
}
