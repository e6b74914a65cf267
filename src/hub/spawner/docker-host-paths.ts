/**
 * A hub that itself runs in a container (the compose deployment) names folders to dockerd by its
 * own paths (start hooks, course directories, the singleuser configuration, grading kernels'
 * working copies and sockets), and dockerd reads each as a path of the host. That only works when
 * each such folder is mounted in the hub's container at the same path it has on the host; any
 * other way, dockerd would mount an empty folder it makes on the host, and servers would start
 * without their tokens or grading would wait for sockets that never appear. Checked at start, so
 * the mistake is named before anyone logs in.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type Docker from 'dockerode';
import { dockerStatus } from './docker-client.js';
import { SpawnerError } from './errors.js';

/** A mount of the hub's container as the Engine API reports it. */
export interface ContainerMount {
  Source: string;
  Destination: string;
}

/** What is wrong with the host path of `path`, or undefined when dockerd sees it at the same path. */
export function hostPathProblem(mounts: readonly ContainerMount[], path: string): string | undefined {
  const within = (root: string) => {
    const rest = relative(root, path);
    return rest === '' || (!rest.startsWith('..') && !isAbsolute(rest)) ? rest : undefined;
  };
  // The innermost mount decides: a folder mounted inside another mount shadows it.
  const mount = mounts
    .filter((candidate) => within(candidate.Destination) !== undefined)
    .sort((a, b) => b.Destination.length - a.Destination.length)[0];
  if (!mount) return `${path} is inside the hub's container only: no mount of the host holds it`;
  const onHost = join(mount.Source, within(mount.Destination)!);
  if (onHost !== resolve(path)) return `${path} is the host's ${onHost} (mounted at ${mount.Destination})`;
  return undefined;
}

/**
 * Fails, naming each path and how to mount it, when the hub runs in a container and dockerd would
 * not find `paths` at the same paths on the host. Outside a container it checks nothing; a
 * container it cannot find by its host name (one set by hand) is reported through `warn`.
 */
export async function checkHostPaths(
  docker: Docker,
  paths: readonly string[],
  warn: (message: string) => void,
  inContainer = existsSync('/.dockerenv'),
): Promise<void> {
  if (!inContainer) return;
  const unknown = () =>
    warn(
      `The hub runs in a container that dockerd does not know by its host name (${hostname()}); ` +
        `cannot check that ${paths.join(', ')} are mounted at the same paths on the host.`,
    );
  let self;
  try {
    self = await docker.getContainer(hostname()).inspect();
  } catch (error) {
    if (dockerStatus(error) !== 404) throw error;
    return unknown();
  }
  // dockerd also takes a host name that merely starts another container's id: only the container
  // that has this host name is the hub's.
  if (self.Config.Hostname !== hostname()) return unknown();
  const mounts: ContainerMount[] = self.Mounts;
  const problems = paths.flatMap((path) => hostPathProblem(mounts, path) ?? []);
  if (problems.length === 0) return;
  throw new SpawnerError(
    `The hub runs in a container and hands dockerd folders by path, which dockerd reads as the host's: ${problems.join('; ')}.`,
    {
      hint:
        "Mount each of these folders in the hub's container at the path it has on the host (docker-compose.yml: " +
        'the volumes folder /var/lib/docker/volumes:/var/lib/docker/volumes holding the data volume, and HUB_TMPDIR:HUB_TMPDIR as TMPDIR).',
    },
  );
}
