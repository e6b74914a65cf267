// Docker user servers on the host network are reachable only through the proxy: with the egress
// policy a real `coursehub start` applies (spawner.network, nftables rules by socket owner, in a
// table of this test's own), another user's container cannot even connect to a server's port,
// while the server's own user still can (kernels and tools talk to their server on loopback).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeUnixAccount } from '../hub/spawner/test-accounts.js';
import { startRealHub, type RealHub } from '../support/hub.js';
import {
  DOCKER_SETUP_TIMEOUT_MS,
  dockerSpawnerSettings,
  dockerTestImage,
  execIn,
  removeDockerLeftovers,
} from './support/docker-env.js';

const AMY = 'chdn_amy';
const BOB = 'chdn_bob';
let hub: RealHub;

/** Whether a process of `user` in `container` can open a TCP connection to 127.0.0.1:`port`. */
async function connects(container: string, user: string, port: number): Promise<string> {
  const probe = `import socket\ntry:\n    socket.create_connection(('127.0.0.1', ${port}), timeout=3).close()\n    print('connected')\nexcept OSError as error:\n    print('refused', error)`;
  return (await execIn(container, ['python3', '-c', probe], user)).output.trim();
}

beforeAll(async () => {
  const image = await dockerTestImage();
  await removeDockerLeftovers([AMY, BOB]);
  for (const user of [AMY, BOB]) removeUnixAccount(user);
  hub = await startRealHub({
    config: { spawner: { class: 'docker', docker: dockerSpawnerSettings(image) } },
  });
  for (const name of [AMY, BOB]) await hub.hub.services.users.create({ name, admin: false });
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  const servers = hub?.hub.services.servers;
  for (const name of [AMY, BOB]) await (await servers?.stop(name))?.done.catch(() => undefined);
  await hub?.stop();
  await removeDockerLeftovers([AMY, BOB]);
  for (const user of [AMY, BOB]) removeUnixAccount(user);
});

describe('Docker servers on the host network', () => {
  it("cannot be reached from another user's container, only through the proxy", async () => {
    const { servers } = hub.hub.services;
    await Promise.all([AMY, BOB].map(async (name) => (await servers.start(name)).ready));
    const amyPort = Number(
      new URL(
        servers
          .readyServers()
          .find((s) => s.userName === AMY)!
          .spawner.current()!.url,
      ).port,
    );
    expect(await connects(`jupyter-${AMY}`, AMY, amyPort)).toBe('connected');
    expect(await connects(`jupyter-${BOB}`, BOB, amyPort)).toMatch(/^refused/);
  });
});
