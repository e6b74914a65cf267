// The Docker spawner in swarm mode against a real dockerd made a one-node swarm (`docker swarm
// init --advertise-addr 127.0.0.1`): a user's server runs as a swarm service with the configured
// placement constraint and limits and the user's volume as a volume mount, is reached through the
// real proxy, keeps its files across a server stop and start and a hub restart (re-attach), and its
// service goes on stop while the volume stays. The only swarm test file: it leaves the swarm at the
// end only if it made it (plain containers of the other Docker test files run in swarm mode too).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const CARA = 'chsw_cara';
const run = promisify(execFile);
let fx: ServerFixture;
let manager: ServerManager;
let image: string;
let madeTheSwarm = false;
/** The start secrets seen: each must go with its service. */
const hookSecrets: string[] = [];

interface ServiceInfo {
  ID: string;
  Spec: {
    TaskTemplate: {
      ContainerSpec: {
        Mounts?: { Type: string; Source: string; Target: string }[];
        Secrets?: { SecretID: string; File: { Name: string; UID: string; Mode: number } }[];
      };
      Resources: { Limits: { MemoryBytes?: number; NanoCPUs?: number; Pids?: number } };
      Placement: { Constraints?: string[] };
    };
  };
}

function throughProxy(path: string, init: RequestInit = {}) {
  return fetch(`${fx.proxy.publicUrl}/user/${CARA}/${path}`, {
    ...init,
    headers: { authorization: `token ${fx.ownerTokens[CARA]}`, 'content-type': 'application/json' },
    redirect: 'manual',
  });
}

function swarmManager(): ServerManager {
  return fx.makeManager({
    class: 'docker-swarm',
    docker: dockerSpawnerSettings(image, {
      swarm: {
        constraints: ['node.role == manager'],
        memoryReservationMb: 64,
        volumeDriver: 'local',
        volumeDriverOptions: {},
      },
    }),
    memoryLimitMb: 256,
    cpuLimit: 0.5,
    processLimit: 200,
  });
}

/** The running task's container (the swarm names it SERVICE.1.TASKID). */
async function taskContainer(): Promise<string> {
  const tasks = (await docker.listTasks({
    filters: JSON.stringify({ service: [`jupyter-${CARA}`], 'desired-state': ['running'] }),
  })) as { Status: { ContainerStatus: { ContainerID: string } } }[];
  expect(tasks).toHaveLength(1);
  return tasks[0]!.Status.ContainerStatus.ContainerID;
}

async function readKept(): Promise<string> {
  const response = await throughProxy('api/contents/kept.txt');
  expect(response.status).toBe(200);
  return ((await response.json()) as { content: string }).content;
}

beforeAll(async () => {
  image = await dockerTestImage();
  const info = (await docker.info()) as { Swarm: { LocalNodeState: string } };
  if (info.Swarm.LocalNodeState !== 'active') {
    await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    madeTheSwarm = true;
  }
  await docker
    .getService(`jupyter-${CARA}`)
    .remove()
    .catch(() => undefined);
  await removeDockerLeftovers([CARA]);
  fx = await createServerFixture([CARA]);
  manager = swarmManager();
}, DOCKER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await fx?.dispose();
  await docker
    .getService(`jupyter-${CARA}`)
    .remove()
    .catch(() => undefined);
  await removeDockerLeftovers([CARA]);
  if (madeTheSwarm) await run('docker', ['swarm', 'leave', '--force']);
});

describe('the Docker spawner in swarm mode', () => {
  it("runs a user's server as a swarm service, with the placement and limits of the config, reached through the proxy", async () => {
    await (
      await manager.start(CARA)
    ).ready;
    const service = (await docker.getService(`jupyter-${CARA}`).inspect()) as ServiceInfo;
    const template = service.Spec.TaskTemplate;
    expect(template.Placement.Constraints).toContain('node.role == manager');
    expect(template.Resources.Limits).toEqual({
      MemoryBytes: 256 * 1024 * 1024,
      NanoCPUs: 0.5e9,
      Pids: 200,
    });
    // The home is a volume mount of the task (made by the node's volume driver), not a bind.
    expect(template.ContainerSpec.Mounts?.filter((m) => m.Type === 'volume')).toEqual([
      expect.objectContaining({ Source: `jupyterhub-user-${CARA}`, Target: `/home/${CARA}` }),
    ]);
    // No token in what `docker service inspect` shows.
    const token = manager.readyServers()[0]!.spawner.current()!.token;
    expect(JSON.stringify(service)).not.toContain(token);
    expect(JSON.stringify(service)).not.toContain('JUPYTERHUB_API_TOKEN');
    // ...they come in a swarm secret of this start, root's only where the start script sources it.
    const [hook] = template.ContainerSpec.Secrets ?? [];
    expect(hook?.File).toEqual({
      Name: '/usr/local/bin/before-notebook.d/coursehub.sh',
      UID: '0',
      GID: '0',
      Mode: 0o400,
    });
    hookSecrets.push(hook!.SecretID);

    expect((await throughProxy('api/status')).status).toBe(200);
    // The task's container runs the server as the hub user with the uid of their account.
    const account = (await lookupUnixAccount(CARA))!;
    const inside = await execIn(await taskContainer(), ['id', '-un'], String(account.uid));
    expect(inside.output.trim()).toBe(CARA);
    const readHook = await execIn(
      await taskContainer(),
      ['cat', '/usr/local/bin/before-notebook.d/coursehub.sh'],
      String(account.uid),
    );
    expect(readHook.exitCode).not.toBe(0);
    expect(readHook.output).toMatch(/Permission denied/);
    // The limits reach the container the swarm made.
    const container = await docker.getContainer(await taskContainer()).inspect();
    expect(container.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(container.HostConfig.PidsLimit).toBe(200);
  });

  it('keeps the volume across a stop and start, and re-attaches after a hub restart', async () => {
    const body = JSON.stringify({ type: 'file', format: 'text', content: 'kept in the swarm\n' });
    expect((await throughProxy('api/contents/kept.txt', { method: 'PUT', body })).status).toBe(201);
    await (
      await manager.stop(CARA)
    ).done;
    // The service went; the volume stayed.
    await expect(docker.getService(`jupyter-${CARA}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await docker.getVolume(`jupyterhub-user-${CARA}`).inspect();
    await (
      await manager.start(CARA)
    ).ready;
    expect(await readKept()).toBe('kept in the swarm\n');

    // A new hub process (a new manager over the same database) re-attaches to the running service.
    const running = (await docker.getService(`jupyter-${CARA}`).inspect()) as ServiceInfo;
    const before = running.ID;
    hookSecrets.push(running.Spec.TaskTemplate.ContainerSpec.Secrets![0]!.SecretID);
    const restarted = swarmManager();
    const { kept } = await restarted.reattach();
    expect(kept).toContain(`${CARA}/`);
    expect(restarted.status(CARA)).toEqual({ pending: null, ready: true });
    expect(((await docker.getService(`jupyter-${CARA}`).inspect()) as ServiceInfo).ID).toBe(before);
    expect(await readKept()).toBe('kept in the swarm\n');
    manager = restarted;
  });

  it('removes the service and its container on stop, and the proxy no longer reaches the server', async () => {
    const container = await taskContainer();
    await (
      await manager.stop(CARA)
    ).done;
    await expect(docker.getService(`jupyter-${CARA}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getContainer(container).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The proxy itself answers, as JupyterHub's does for a stopped server: off to the hub's page.
    const gone = await throughProxy('api/status');
    expect(gone.status).toBe(302);
    expect(gone.headers.get('location')).toBe(`/hub/user/${CARA}/api/status`);
    await docker.getVolume(`jupyterhub-user-${CARA}`).inspect();
    // The start secrets went with their services (the first start's at the first stop).
    expect(new Set(hookSecrets).size).toBe(2);
    for (const secret of hookSecrets)
      await expect(docker.getSecret(secret).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
