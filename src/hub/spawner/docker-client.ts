/**
 * The Docker Engine API client of the Docker spawner (dockerode), and what its failures mean:
 * a daemon that does not answer becomes a DockerUnavailableError saying where it was looked for.
 */
import Docker from 'dockerode';
import { SpawnerError } from './errors.js';

/** The Docker daemon could not be reached. */
export class DockerUnavailableError extends SpawnerError {}

/** A client for `host` (a socket path or tcp://HOST:PORT), else DOCKER_HOST, else the default socket. */
export function dockerClient(host: string | undefined): Docker {
  const where = host ?? process.env.DOCKER_HOST;
  if (!where) return new Docker({ socketPath: '/var/run/docker.sock' });
  if (where.startsWith('unix://')) return new Docker({ socketPath: where.slice('unix://'.length) });
  if (where.startsWith('/')) return new Docker({ socketPath: where });
  const url = new URL(where.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

/** The HTTP status of a failed Engine API call (404: no such container, volume or image). */
export function dockerStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** `error` as a SpawnerError: a daemon that does not answer is named as such. */
export function dockerFailure(what: string, error: unknown): SpawnerError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES')
    return new DockerUnavailableError(`${what}: the Docker daemon does not answer (${code}).`, {
      hint: 'Start dockerd (Debian: apt-get install docker.io), or set spawner.docker.host / DOCKER_HOST to where it listens.',
      cause: error,
    });
  const message = (error as { json?: { message?: string } }).json?.message ?? (error as Error).message;
  return new SpawnerError(`${what}: ${message}`, { cause: error });
}
