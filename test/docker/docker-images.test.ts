// Which image a Docker user server runs, against a real dockerd: the allow-list (a user's choice
// outside it is refused by name, GHSA-hfgr-h3vc-p6c2), and the pull policy (no registry is
// reachable from these machines: a pull fails with a message that says so and what to do).
import { beforeAll, describe, expect, it } from 'vitest';
import { chosenImage, ensureImage } from '../../src/hub/spawner/docker-images.js';
import { SpawnerError, UserOptionsError } from '../../src/hub/spawner/errors.js';
import { docker, DOCKER_SETUP_TIMEOUT_MS, dockerTestImage } from './support/docker-env.js';

const MISSING = 'registry.invalid/coursehub/no-such-notebook:1';
let image: string;

beforeAll(async () => {
  image = await dockerTestImage();
}, DOCKER_SETUP_TIMEOUT_MS);

describe('the Docker spawner’s images', () => {
  it('takes the configured image, or one of the allowed ones a user names; nothing else', () => {
    const settings = { image: 'course/notebook:1', allowedImages: ['course/notebook:gpu'] };
    expect(chosenImage(settings, {})).toBe('course/notebook:1');
    expect(chosenImage(settings, { image: 'course/notebook:gpu' })).toBe('course/notebook:gpu');
    for (const image of ['evil/miner:latest', 'course/notebook:1 ', 'course/notebook', 42, null])
      expect(() => chosenImage(settings, { image })).toThrow(UserOptionsError);
    expect(() => chosenImage(settings, { profile: 'big' })).toThrow(/takes only the option "image"/);
  });

  it('uses an image that is there without pulling (ifnotpresent, never)', async () => {
    await ensureImage(docker, image, 'ifnotpresent');
    await ensureImage(docker, image, 'never');
  });

  it('refuses a missing image under "never", and says why a pull failed', async () => {
    await expect(ensureImage(docker, MISSING, 'never')).rejects.toThrow(
      /not on the Docker host, and the pull policy is "never"/,
    );
    const failed = await ensureImage(docker, MISSING, 'ifnotpresent').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SpawnerError);
    expect((failed as SpawnerError).message).toMatch(new RegExp(`^Could not pull the image ${MISSING}: `));
    expect((failed as SpawnerError).hint).toMatch(/registry is not reachable/);
    // "always" pulls even an image that is there: here that fails, and says how to go on.
    const always = await ensureImage(docker, image, 'always').catch((e: unknown) => e);
    expect((always as SpawnerError).hint).toMatch(/pullPolicy to "ifnotpresent"/);
  });
});
