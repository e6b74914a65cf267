/**
 * Which image a user server runs, and getting it onto the Docker host. A user may choose an image
 * (the start option `image`, JupyterHub's user_options) only from the configured allow-list:
 * DockerSpawner once let a user name any image (GHSA-hfgr-h3vc-p6c2), which runs whatever a
 * registry holds under that name with the user's volume and the course directories mounted.
 */
import type Docker from 'dockerode';
import { dockerFailure, dockerStatus } from './docker-client.js';
import { SpawnerError, UserOptionsError } from './errors.js';
import type { UserOptions } from './spawner.js';

export type PullPolicy = 'ifnotpresent' | 'always' | 'never';

/** The image the start request asks for: the configured one, or an allowed one it names. */
export function chosenImage(
  settings: { image: string; allowedImages: readonly string[] },
  options: UserOptions | undefined,
): string {
  const { image, ...others } = options ?? {};
  const unknown = Object.keys(others);
  if (unknown.length > 0)
    throw new UserOptionsError(
      `The Docker spawner takes only the option "image", but the start request has ${unknown.map((n) => `"${n}"`).join(', ')}.`,
      { hint: 'Start the server with no options, or with {"image": NAME} for an image the hub allows.' },
    );
  if (image === undefined) return settings.image;
  const allowed = [settings.image, ...settings.allowedImages];
  if (typeof image !== 'string' || !allowed.includes(image))
    throw new UserOptionsError(`The image ${JSON.stringify(image)} is not one this hub allows.`, {
      hint: `Choose one of: ${allowed.join(', ')} (spawner.docker.image and spawner.docker.allowedImages).`,
    });
  return image;
}

async function present(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (dockerStatus(error) === 404) return false;
    throw dockerFailure(`Could not look for the image ${image}`, error);
  }
}

/** Pulls `image` as the policy says; a pull that fails (no registry reachable) says so. */
export async function ensureImage(docker: Docker, image: string, policy: PullPolicy): Promise<void> {
  if (policy !== 'always' && (await present(docker, image))) return;
  if (policy === 'never')
    throw new SpawnerError(`The image ${image} is not on the Docker host, and the pull policy is "never".`, {
      hint: 'Build or load it there (docker build / docker load), or set spawner.docker.pullPolicy to "ifnotpresent".',
    });
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
        const failed = error?.message ?? events.find((event) => event.error)?.error;
        if (failed) reject(new Error(failed));
        else resolve();
      }),
    );
  } catch (error) {
    throw new SpawnerError(`Could not pull the image ${image}: ${(error as Error).message}`, {
      hint:
        policy === 'always'
          ? 'The registry is not reachable from the Docker host: set spawner.docker.pullPolicy to "ifnotpresent" to use the image already there, or load it (docker load).'
          : 'The registry is not reachable from the Docker host, or the name is wrong: build or load the image there (docker build / docker load).',
      cause: error,
    });
  }
}
