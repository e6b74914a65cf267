/**
 * The Docker tests' dockerd and image: scripts/docker-test-env, run once per test file (it returns
 * at once when dockerd answers and the image is there; the first run on a machine builds the
 * image, a few minutes). A dockerd that cannot start fails the test file, never skips it.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { spawnerSection } from '../../../src/config/schema.js';
import type { SpawnerSettings } from '../../../src/hub/spawner/factory.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
/** How long the first image build may take (debootstrap and apt from Debian's mirror). */
export const DOCKER_SETUP_TIMEOUT_MS = 20 * 60_000;

let ready: Promise<string> | undefined;

/**
 * Starts dockerd if none answers, builds the test image if missing; resolves to the image. With
 * `deploy`, also the stand-ins for the compose file's base images (coursehub-test-node:20,
 * coursehub-test-postgres:15).
 */
export function dockerTestImage(deploy = false): Promise<string> {
  if (deploy) return runTestEnv(['--deploy']);
  ready ??= runTestEnv([]);
  return ready;
}

function runTestEnv(args: string[]): Promise<string> {
  return promisify(execFile)('bash', [resolve(REPO, 'scripts/docker-test-env'), ...args], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
    timeout: DOCKER_SETUP_TIMEOUT_MS,
  }).then(
    ({ stdout }) => stdout.trim().split('\n').at(-1)!,
    (error: { stderr?: string; message: string }) => {
      throw new Error(`scripts/docker-test-env failed: ${error.stderr ?? error.message}`);
    },
  );
}

export const docker = new Docker({
  socketPath: process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') ?? '/var/run/docker.sock',
});

/** The Docker spawner's settings for tests: the test image only, never pulled, on the host network. */
export function dockerSpawnerSettings(
  image: string,
  docker: Partial<SpawnerSettings['docker']> = {},
): SpawnerSettings['docker'] {
  return { ...spawnerSection.parse({}).docker, image, pullPolicy: 'never', network: 'host', ...docker };
}

/** Runs `command` in a running container as `user` (a uid or name); its output and exit code. */
export async function execIn(
  container: string,
  command: string[],
  user = 'root',
): Promise<{ output: string; exitCode: number }> {
  const exec = await docker.getContainer(container).exec({
    Cmd: command,
    User: user,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolveEnd, reject) => {
    const sink = { write: (chunk: Buffer) => chunks.push(chunk) };
    docker.modem.demuxStream(stream, sink as never, sink as never);
    stream.on('end', () => resolveEnd());
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { output: Buffer.concat(chunks).toString('utf8'), exitCode: ExitCode ?? -1 };
}

/** Removes what a test left: containers and volumes of these users. */
export async function removeDockerLeftovers(users: readonly string[]): Promise<void> {
  for (const user of users) {
    await docker
      .getContainer(`jupyter-${user}`)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getVolume(`jupyterhub-user-${user}`)
      .remove()
      .catch(() => undefined);
  }
}
