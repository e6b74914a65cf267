/**
 * `coursehub users import --instructors F --students F [--prune [--yes]]`: loads the roster files
 * into the hub's database (the same import `users:` in the config runs at start). A bad file exits
 * 1 and prints file, line and reason; nothing of it is applied. A prune names whom it removes, and
 * one that would remove more than a tenth of a role (a students.csv with only its header would
 * remove every student) is refused, naming them, unless --yes confirms it.
 *
 * `coursehub users import-jupyterhub SOURCE [--dry-run]`: users, admin flags and groups from a
 * JupyterHub database (src/hub/users/jupyterhub-import.ts); says whose tokens must be made again.
 */
import type { Command } from 'commander';
import { openHubDatabase } from '../app/open-database.js';
import { buildCoreServices } from '../app/services.js';
import { CoursehubError } from '../util/errors.js';
import { loadCliConfig, type DataOptions } from './options.js';

interface ImportOptions extends DataOptions {
  instructors?: string;
  students?: string;
  prune?: boolean;
  yes?: boolean;
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description("Manage the hub's users.");
  users
    .command('import')
    .description(
      'Import instructors (admins) and students from CSV files (header id,first_name,last_name,email).',
    )
    .option('--instructors <file>', 'instructors.csv')
    .option('--students <file>', 'students.csv')
    .option('--prune', 'remove imported users no longer listed (users created by hand are kept)')
    .option('--yes', 'confirm a prune that removes more than a tenth of the instructors or students')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (options: ImportOptions) => {
      if (!options.instructors && !options.students) {
        throw new CoursehubError('Nothing to import.', {
          hint: 'Give --instructors FILE, --students FILE or both.',
        });
      }
      const { config } = loadCliConfig(options, { 'log.level': 'warn' });
      const opened = await openHubDatabase(config, { createDataDir: true });
      try {
        // Pruned users are removed as the running hub would: servers stopped, tokens and
        // sessions revoked, the proxy told.
        const { rosters } = buildCoreServices(opened.base);
        const report = await rosters.importFiles({
          instructors: options.instructors,
          students: options.students,
          prune: options.prune ?? false,
          confirmLargePrune: options.yes ?? false,
        });
        const line = (label: string, names: string[]) =>
          console.log(`${label}: ${names.length}${names.length > 0 ? ` (${names.join(', ')})` : ''}`);
        line('created', report.created);
        line('updated', report.updated);
        console.log(`unchanged: ${report.unchanged.length}`);
        if (options.prune) line('removed', report.removed);
      } finally {
        await opened.close();
      }
    });
  users
    .command('import-jupyterhub')
    .description(
      'Move users, admin flags and groups in from a JupyterHub database; API tokens cannot move (says whose to remake).',
    )
    .argument('<source>', 'jupyterhub.sqlite, or a postgresql:// URL (JupyterHub.db_url)')
    .option('--dry-run', 'say what would be done, changing nothing')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--data-dir <dir>', 'the hub data directory (hub.dataDir)')
    .action(async (source: string, options: DataOptions & { dryRun?: boolean }) => {
      const { config } = loadCliConfig(options, { 'log.level': 'warn' });
      const opened = await openHubDatabase(config, { createDataDir: true });
      try {
        const { jupyterhubImport } = buildCoreServices(opened.base);
        const report = await jupyterhubImport.run(source, { dryRun: options.dryRun });
        const list = (names: string[]) =>
          `${names.length}${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
        const would = options.dryRun ? 'would be ' : '';
        console.log(`JupyterHub database revision ${report.revision ?? '(none)'}`);
        console.log(`users ${would}created: ${list(report.created)}`);
        console.log(`users already here: ${list(report.existing)}`);
        console.log(`admins ${options.dryRun ? 'to be ' : ''}made: ${list(report.madeAdmin)}`);
        console.log(`groups ${would}created: ${list(report.groupsCreated)}`);
        for (const [group, members] of Object.entries(report.membersAdded))
          console.log(`  ${group}: ${members.join(', ')} ${would}added`);
        for (const { name, reason } of report.skipped) console.log(`skipped ${name}: ${reason}`);
        const owners = Object.entries(report.tokensToRemake);
        const count = owners.reduce((n, [, tokens]) => n + tokens.length, 0);
        console.log(
          `API tokens cannot move (JupyterHub stores only their hashes): ${count} must be made again` +
            (owners.length > 0 ? ', by:' : '.'),
        );
        for (const [user, tokens] of owners)
          console.log(`  ${user}: ${tokens.map((t) => JSON.stringify(t.note ?? '(no note)')).join(', ')}`);
        if (report.otherTokens > 0)
          console.log(
            `(${report.otherTokens} service and login tokens are not listed: services' config and the next login make them.)`,
          );
        if (options.dryRun) console.log('dry run: nothing was changed');
      } finally {
        await opened.close();
      }
    });
}
