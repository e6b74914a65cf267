// A Docker network by name (DOCKER_NETWORK_NAME, as the seed's compose set-up has one): the
// server listens on port 8888 at its container's address on that network, and the proxy reaches
// it there. (This host's dockerd runs without iptables, so Docker cannot keep containers on one
// bridge from each other; the server's token still guards every request that skips the proxy.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerFixture, type ServerFixture } from '../hub/servers/fixture.js';
import {
  docker,
  DOCKER_SETUP_TIMEOUT_MS,
  dockerSpawnerSettings,
  dockerTestImage,
  removeDockerLeftovers,
} from './support/docker-env.js';

const AMY = 'chdw_amy';
const NETWORK = `chtest-net-${process.pid}`;
let fx: ServerFixture;
let image: string;

beforeAll(async () => {
  image = await dockerTestImage();
  await removeDockerLeftovers([AMY]);
  await docker.createNetwork({ Name: NETWORK, Driver: 'bridge' });
  fx = await createServerFixture([AMY]);
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await fx?.dispose();
  await removeDockerLeftovers([AMY]);
  await docker
    .getNetwork(NETWORK)
    .remove()
    .catch(() => undefined);
});

describe('the Docker spawner on a named network', () => {
  it("serves at the container's address on that network, through the proxy", async () => {
    const manager = fx.makeManager({
      class: 'docker',
      docker: dockerSpawnerSettings(image, { network: NETWORK }),
    });
    await (
      await manager.start(AMY)
    ).ready;
    const info = await docker.getContainer(`jupyter-${AMY}`).inspect();
    const address = info.NetworkSettings.Networks[NETWORK]!.IPAddress;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const server = manager
      .readyServers()
      .find((s) => s.userName === AMY)!
      .spawner.current()!;
    expect(server.url).toBe(`http://${address}:8888/user/${AMY}/`);
    const routes = await fx.proxyClient.getRoutes();
    expect(routes[`/user/${AMY}`]?.target).toBe(`http://${address}:8888`);
    const status = await fetch(`${fx.proxy.publicUrl}/user/${AMY}/api/status`, {
      headers: { authorization: `token ${fx.ownerTokens[AMY]}` },
    });
    expect(status.status).toBe(200);
    // Straight to the container without the server's token: refused.
    expect((await fetch(`${server.url}api/contents`, { redirect: 'manual' })).status).toBe(403);
    await (
      await manager.stop(AMY)
    ).done;
  });
});
