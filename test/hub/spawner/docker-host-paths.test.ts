// Which folders a hub in a container can hand to dockerd: those mounted at the path they have on
// the host. (The compose deployment's test, test/docker/compose-deploy.test.ts, runs the check in a
// real container, both ways.)
import { describe, expect, it } from 'vitest';
import { hostPathProblem } from '../../../src/hub/spawner/docker-host-paths.js';

const COMPOSE_MOUNTS = [
  { Source: '/var/lib/docker/volumes', Destination: '/var/lib/docker/volumes' },
  { Source: '/tmp/coursehub', Destination: '/tmp/coursehub' },
  { Source: '/srv/deploy/instructors.csv', Destination: '/srv/coursehub/roster/instructors.csv' },
];

describe('hostPathProblem', () => {
  it('accepts a folder mounted at its own path, and anything below it', () => {
    expect(hostPathProblem(COMPOSE_MOUNTS, '/var/lib/docker/volumes/coursehub-data/_data')).toBeUndefined();
    expect(hostPathProblem(COMPOSE_MOUNTS, '/tmp/coursehub')).toBeUndefined();
    expect(hostPathProblem(COMPOSE_MOUNTS, '/tmp/coursehub/coursehub-kernels/')).toBeUndefined();
  });

  it("names a folder that only the hub's container has", () => {
    expect(hostPathProblem(COMPOSE_MOUNTS, '/tmp')).toBe(
      "/tmp is inside the hub's container only: no mount of the host holds it",
    );
    // A sibling whose name merely starts like a mount is not under it.
    expect(hostPathProblem(COMPOSE_MOUNTS, '/tmp/coursehub2')).toMatch(/inside the hub's container only/);
  });

  it("names the host's folder when a volume or bind is mounted elsewhere", () => {
    const mounts = [
      ...COMPOSE_MOUNTS,
      { Source: '/var/lib/docker/volumes/coursehub-data/_data', Destination: '/srv/coursehub/data' },
    ];
    expect(hostPathProblem(mounts, '/srv/coursehub/data/runtime')).toBe(
      "/srv/coursehub/data/runtime is the host's /var/lib/docker/volumes/coursehub-data/_data/runtime (mounted at /srv/coursehub/data)",
    );
  });

  it('lets the innermost mount decide', () => {
    const mounts = [
      { Source: '/var/lib/docker/volumes', Destination: '/var/lib/docker/volumes' },
      { Source: '/elsewhere', Destination: '/var/lib/docker/volumes/x/_data' },
    ];
    expect(hostPathProblem(mounts, '/var/lib/docker/volumes/x/_data/a')).toMatch(/host's \/elsewhere\/a/);
    expect(hostPathProblem(mounts, '/var/lib/docker/volumes/y/_data')).toBeUndefined();
  });
});
