/**
 * Picks the spawner class named in the `spawner` config section: the shared keys, and the class's
 * own section (`spawner.local`). New classes (docker, ...) are added here, next to the local one.
 */
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { CoursehubConfig } from '../../config/schema.js';
import { dockerClient } from './docker-client.js';
import { DockerSpawner } from './docker-spawner.js';
import { DockerSwarmSpawner } from './docker-swarm-spawner.js';
import { singleuserConfigCopy } from './singleuser.js';
import { LocalProcessSpawner, type LocalProcessSpawnerOptions } from './local-process-spawner.js';
import type { SpawnerFactory } from './spawner.js';

export type SpawnerSettings = CoursehubConfig['spawner'];

export function spawnerFactoryFromConfig(
  settings: SpawnerSettings,
  context: {
    logDir: string;
    /** A root-only folder of the hub's data directory (the Docker spawner's start hooks); default: logDir's. */
    runtimeDir?: string;
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
    case 'docker':
    case 'docker-swarm': {
      // One client (one connection pool to the daemon) for every user's spawner.
      const docker = dockerClient(settings.docker.host);
      const runtimeDir = context.runtimeDir ?? context.logDir;
      const singleuserConfig = singleuserConfigCopy(join(runtimeDir, 'singleuser'));
      const Class = settings.class === 'docker' ? DockerSpawner : DockerSwarmSpawner;
      return (userName, serverName) =>
        new Class(userName, serverName, {
          ...settings.docker,
          docker,
          environment: settings.environment,
          memoryLimitMb: settings.memoryLimitMb,
          cpuLimit: settings.cpuLimit,
          processLimit: settings.processLimit,
          homeRoot: settings.local.homeRoot,
          hookFolder: join(runtimeDir, 'docker-start-hooks'),
          singleuserConfig,
          logDir: context.logDir,
          log: context.log,
          egress: context.egress,
          courseFolders: context.courseFolders,
        });
    }
  }
}
