/**
 * Picks the spawner class named in the `spawner` config section: the shared keys, and the class's
 * own section (`spawner.local`). New classes (docker, ...) are added here, next to the local one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../../config/schema.js';
import { LocalProcessSpawner, type LocalProcessSpawnerOptions } from './local-process-spawner.js';
import type { SpawnerFactory } from './spawner.js';

export type SpawnerSettings = CoursehubConfig['spawner'];

export function spawnerFactoryFromConfig(
  settings: SpawnerSettings,
  context: {
    logDir: string;
    log: FastifyBaseLogger;
    egress?: LocalProcessSpawnerOptions['egress'];
    courseFolders?: LocalProcessSpawnerOptions['courseFolders'];
  },
): SpawnerFactory {
  switch (settings.class) {
    case 'local':
      return (userName, serverName) =>
        new LocalProcessSpawner(userName, serverName, {
          ...settings.local,
          environment: settings.environment,
          memoryLimitMb: settings.memoryLimitMb,
          cpuLimit: settings.cpuLimit,
          processLimit: settings.processLimit,
          logDir: context.logDir,
          log: context.log,
          egress: context.egress,
          courseFolders: context.courseFolders,
        });
  }
}
