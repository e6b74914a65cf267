/**
 * `coursehub start`: runs the hub in the foreground until SIGTERM or SIGINT, then stops cleanly
 * (stops listening, closes the database) and exits 0.
 */
import type { Command } from 'commander';
import { startHub } from '../app/start.js';
import { configFileOf, parsePort, type DataOptions } from './options.js';

interface StartOptions extends DataOptions {
  port?: number;
  ip?: string;
  authenticator?: string;
  demo?: boolean;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run the hub in the foreground until SIGTERM or SIGINT.')
    .option('--config <file>', 'config file, YAML or JSON (default: $COURSEHUB_CONFIG)')
    .option('--port <port>', 'public port (hub.port)', parsePort)
    .option('--ip <address>', 'address to listen on (hub.ip)')
    .option('--data-dir <dir>', 'database, cookie secret and logs (hub.dataDir)')
    .option('--authenticator <name>', 'local, github, oidc or dummy (auth.authenticator)')
    .option('--demo', 'demo users (instructor, student1..3) and the dummy authenticator; loopback only')
    .action(async (options: StartOptions) => {
      const hub = await startHub({
        configFile: configFileOf(options),
        demo: options.demo ?? false,
        overrides: {
          'hub.port': options.port,
          'hub.ip': options.ip,
          'hub.dataDir': options.dataDir,
          'auth.authenticator': options.authenticator,
        },
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          hub.services.log.info({ signal }, 'signal received');
          hub.stop().then(resolve, (error: unknown) => {
            hub.services.log.error({ err: error }, 'error while stopping');
            process.exitCode = 1;
            resolve();
          });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      // main.ts then ends the process: a stray timer must not keep a stopped hub alive.
    });
}
