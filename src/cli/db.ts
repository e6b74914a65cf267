/**
 * `coursehub db upgrade`: runs pending database migrations (start does too; this is for upgrading
 * ahead of a restart, or a database shared by several tools).
 */
import type { Command } from 'commander';
import { openHubDatabase } from '../app/open-database.js';
import { migrateToLatest } from '../db/database.js';
import { loadCliConfig, type DataOptions } from './options.js';

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description("The hub's database.");
  db.command('upgrade')
    .description('Apply pending database migrations.')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (options: DataOptions) => {
      const { config } = loadCliConfig(options, { 'log.level': 'warn' });
      const opened = await openHubDatabase(config, { migrate: false, createDataDir: false });
      try {
        const result = await migrateToLatest(opened.base.db);
        const applied = (result.results ?? []).map((r) => r.migrationName);
        console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      } finally {
        await opened.close();
      }
    });
}
