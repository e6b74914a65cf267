// The Docker spawner against a real dockerd (scripts/docker-test-env starts one when none answers)
// and the test image (Debian's jupyter-notebook, docker-stacks' start-up): two users' servers in
// containers of their own, reached through the real proxy; the home volume across server and hub
// restarts; one user's container without the other's volume; the hub user's name and uid inside;
// the memory limit; the image allow-list; no token in `docker inspect`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerRequestError } from '../../src/hub/servers/errors.js';
import type { ServerManager } from '../../src/hub/servers/server-manager.js';
import { lookupUnixAccount } from '../../src/sandbox/unix-accounts.js';
import { createServerFixture, type ServerFixture } from '../hub/servers/fixture.js';
import {
  docker,
  DOCKER_SETUP_TIMEOUT_MS,
  dockerSpawnerSettings,
  dockerTestImage,
  execIn,
  removeDockerLeftovers,
} from './support/docker-env.js';

const AMY = 'chdk_amy';
const BOB = 'chdk_bob';
let fx: ServerFixture;
let manager: ServerManager;
let image: string;

function throughProxy(user: string, path: string, init: RequestInit = {}, token = fx.ownerTokens[user]!) {
  return fetch(`${fx.proxy.publicUrl}/user/${user}/${path}`, {
    ...init,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    redirect: 'manual',
  });
}

function dockerManager(): ServerManager {
  return fx.makeManager({ class: 'docker', docker: dockerSpawnerSettings(image), memoryLimitMb: 256 });
}

beforeAll(async () => {
  image = await dockerTestImage();
  await removeDockerLeftovers([AMY, BOB]);
  fx = await createServerFixture([AMY, BOB]);
  manager = dockerManager();
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await fx?.dispose();
  await removeDockerLeftovers([AMY, BOB]);
});

describe('the Docker spawner', () => {
  it("starts two users' servers in containers of their own, each reached through the proxy by its owner only", async () => {
    await Promise.all([manager.start(AMY), manager.start(BOB)].map(async (t) => (await t).ready));
    for (const user of [AMY, BOB]) {
      const info = await docker.getContainer(`jupyter-${user}`).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.Image).toBe(image);
      expect((await throughProxy(user, 'api/status')).status).toBe(200);
    }
    // Bob's token does not open Amy's server: the proxy refuses it.
    expect((await throughProxy(AMY, 'api/status', {}, fx.ownerTokens[BOB])).status).toBe(403);
    // Straight to the server, without the token the proxy adds, Jupyter refuses too.
    const amyUrl = manager
      .readyServers()
      .find((s) => s.userName === AMY)!
      .spawner.current()!.url;
    expect((await fetch(`${amyUrl}api/contents`, { redirect: 'manual' })).status).toBe(403);
  });

  it("runs as the hub user, with the uid of the user's own account", async () => {
    const account = (await lookupUnixAccount(AMY))!;
    const inside = await execIn(`jupyter-${AMY}`, ['id', '-un'], String(account.uid));
    expect(inside.output.trim()).toBe(AMY);
    // The Jupyter server itself, and everything but the container's init, runs as that uid.
    const top = (await docker.getContainer(`jupyter-${AMY}`).top({ ps_args: '-o pid,uid,args' })) as {
      Processes: string[][];
    };
    const processes = top.Processes.filter((row) => !/docker-init/.test(row.at(-1)!));
    expect(processes.some((row) => /jupyter-notebook/.test(row.at(-1)!))).toBe(true);
    expect(new Set(processes.map((row) => row[1]))).toEqual(new Set([String(account.uid)]));
    expect(account.uid).not.toBe((await lookupUnixAccount(BOB))!.uid);
  });

  it("mounts the user's volume as the home, and not the other user's", async () => {
    const amy = await docker.getContainer(`jupyter-${AMY}`).inspect();
    const volumes = amy.Mounts.filter((m) => m.Type === 'volume').map((m) => [m.Name, m.Destination]);
    expect(volumes).toEqual([[`jupyterhub-user-${AMY}`, `/home/${AMY}`]]);
    const look = await execIn(`jupyter-${AMY}`, ['ls', '-A', '/home']);
    expect(look.output.split('\n').filter(Boolean)).toEqual([AMY]);
    // Bob's volume is nowhere in Amy's container's mount table.
    const mounts = await execIn(`jupyter-${AMY}`, ['cat', '/proc/self/mountinfo']);
    expect(mounts.output).not.toContain(`jupyterhub-user-${BOB}`);
  });

  it('never shows the server token or the hub API token in docker inspect', async () => {
    const server = manager.readyServers().find((s) => s.userName === AMY)!;
    const token = server.spawner.current()!.token;
    const info = JSON.stringify(await docker.getContainer(`jupyter-${AMY}`).inspect());
    expect(info).not.toContain(token);
    expect(info).not.toContain('JUPYTERHUB_API_TOKEN');
    expect(info).not.toContain('JUPYTER_TOKEN');
    // ...yet the server has both, and the user cannot read the file they came in.
    const hook = await execIn(
      `jupyter-${AMY}`,
      ['cat', '/usr/local/bin/before-notebook.d/coursehub.sh'],
      AMY,
    );
    expect(hook.exitCode).not.toBe(0);
    expect(hook.output).toMatch(/Permission denied/);
  });

  it('keeps a file in the home across a server stop and start and a hub restart', async () => {
    const body = JSON.stringify({ type: 'file', format: 'text', content: 'kept across restarts\n' });
    expect((await throughProxy(AMY, 'api/contents/kept.txt', { method: 'PUT', body })).status).toBe(201);
    await (
      await manager.stop(AMY)
    ).done;
    // The container went; the volume stayed.
    await expect(docker.getContainer(`jupyter-${AMY}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await docker.getVolume(`jupyterhub-user-${AMY}`).inspect();
    await (
      await manager.start(AMY)
    ).ready;
    const again = await throughProxy(AMY, 'api/contents/kept.txt');
    expect(((await again.json()) as { content: string }).content).toBe('kept across restarts\n');

    // A new hub process (a new manager over the same database) re-attaches to the running container.
    const restarted = dockerManager();
    const { kept } = await restarted.reattach();
    expect(kept).toContain(`${AMY}/`);
    expect(restarted.status(AMY)).toEqual({ pending: null, ready: true });
    const afterRestart = await throughProxy(AMY, 'api/contents/kept.txt');
    expect(((await afterRestart.json()) as { content: string }).content).toBe('kept across restarts\n');
    manager = restarted;
  });

  it('ends a process that allocates 400 MB under the 256 MB limit', async () => {
    const allocation = await execIn(
      `jupyter-${BOB}`,
      ['python3', '-c', "b = bytearray(400 * 1024 * 1024); print('allocated', len(b))"],
      BOB,
    );
    expect(allocation.output).not.toContain('allocated');
    // Killed by the OOM killer (SIGKILL: 128 + 9).
    expect(allocation.exitCode).toBe(137);
    const info = await docker.getContainer(`jupyter-${BOB}`).inspect();
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    // A small allocation still works, and the server still runs.
    const small = await execIn(
      `jupyter-${BOB}`,
      ['python3', '-c', "b = bytearray(50 * 1024 * 1024); print('ok')"],
      BOB,
    );
    expect(small.output.trim()).toBe('ok');
  });

  it('refuses an image outside the allow-list, before it pulls or runs anything', async () => {
    await (
      await manager.stop(BOB)
    ).done;
    const error = await manager
      .start(BOB, '', { image: 'evil.example/miner:latest' })
      .then((ticket) => ticket.ready)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRequestError);
    expect((error as Error).message).toMatch(/not one this hub allows/);
    await expect(docker.getContainer(`jupyter-${BOB}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getImage('evil.example/miner:latest').inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
  });

  it("deletes the user's volume and account with the user, and nothing of another user", async () => {
    await manager.stopAndDeleteAllOf(BOB);
    await expect(docker.getVolume(`jupyterhub-user-${BOB}`).inspect()).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(await lookupUnixAccount(BOB)).toBeUndefined();
    await docker.getVolume(`jupyterhub-user-${AMY}`).inspect();
    expect(manager.status(AMY)).toEqual({ pending: null, ready: true });
  });
});
