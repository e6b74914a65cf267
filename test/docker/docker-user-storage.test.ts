// The Docker spawner's storage answers whether a user's volume exists without making it, against
// a real dockerd: `coursehub backup` asks first, so a backup does not make a volume (and a home)
// for every user who never started a server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerUserStorage, userVolumeName } from '../../src/hub/spawner/docker-user-storage.js';
import { ensureUnixAccount, removeUnixAccount } from '../../src/sandbox/unix-accounts.js';
import {
  docker,
  DOCKER_SETUP_TIMEOUT_MS,
  dockerTestImage,
  removeDockerLeftovers,
} from './support/docker-env.js';

const USER = 'chdkst_amy';
const homeRoot = mkdtempSync(join(tmpdir(), 'coursehub-docker-storage-'));

beforeAll(async () => {
  await dockerTestImage();
  await removeDockerLeftovers([USER]);
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await removeDockerLeftovers([USER]);
  await removeUnixAccount(USER, homeRoot).catch(() => undefined);
  rmSync(homeRoot, { recursive: true, force: true });
});

describe('the Docker user storage', () => {
  it('says a volume is missing without making it, and there once a write made it', async () => {
    const storage = dockerUserStorage(docker, USER, () => ensureUnixAccount(USER, homeRoot));
    expect(storage.exists).toBeDefined();
    expect(await storage.exists!()).toBe(false);
    // Asking made nothing.
    const missing = await docker
      .getVolume(userVolumeName(USER))
      .inspect()
      .catch((e: { statusCode?: number }) => e);
    expect((missing as { statusCode?: number }).statusCode).toBe(404);
    await storage.writeFile('hello.txt', Buffer.from('hi'));
    expect(await storage.exists!()).toBe(true);
  });
});
