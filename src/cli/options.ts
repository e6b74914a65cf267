/**
 * Command-line options shared by the commands that work on a hub's data (start, users, db):
 * --config and --data-dir, turned into the loader's overrides.
 */
import { InvalidArgumentError } from 'commander';
import { CONFIG_FILE_ENV_VAR } from '../config/env.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';

export interface DataOptions {
  config?: string;
  dataDir?: string;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535.');
  }
  return port;
}

/** The config file from --config, else COURSEHUB_CONFIG. */
export function configFileOf(options: DataOptions): string | undefined {
  return options.config ?? (process.env[CONFIG_FILE_ENV_VAR] || undefined);
}

export function loadCliConfig(options: DataOptions, overrides: Record<string, unknown> = {}): LoadedConfig {
  return loadConfig({
    file: configFileOf(options),
    overrides: { 'hub.dataDir': options.dataDir, ...overrides },
  });
}
