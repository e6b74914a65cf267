/**
 * `coursehub backup FILE` and `coursehub restore FILE` (src/app/backup/): the hub's database,
 * data directory, course directories and users' files in one archive, made while the hub runs,
 * and put back on an empty machine.
 */
import type { Command } from 'commander';
import { createBackup } from '../app/backup/create-backup.js';
import { restoreBackup } from '../app/backup/restore-backup.js';
import { loadCliConfig, type DataOptions } from './options.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup <file>')
    .description(
      "Write the hub's database, data directory, course directories and users' files to FILE (.tar.gz), while it runs.",
    )
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (file: string, options: DataOptions) => {
      const { config } = loadCliConfig(options, { 'log.level': 'warn' });
      await createBackup(config, file, (line) => console.log(line));
    });
  program
    .command('restore <file>')
    .description('Restore a backup into this configuration (an empty data directory and database).')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .option('--force', 'restore over an install that already has data')
    .action(async (file: string, options: DataOptions & { force?: boolean }) => {
      const { config } = loadCliConfig(options, { 'log.level': 'warn' });
      await restoreBackup(config, file, { force: options.force ?? false }, (line) => console.log(line));
    });
}
