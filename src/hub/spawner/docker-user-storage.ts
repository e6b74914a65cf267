/**
 * The Docker spawner's user storage: the user's volume `jupyterhub-user-NAME`, read and written
 * with the user's own uid whether or not their container runs. The hub runs on the Docker host
 * (as root), so it reaches the volume's folder on that host (a `local` driver volume's
 * Mountpoint) and works there exactly as the local spawner works in a home: account-files.py and
 * tar, each run as the user's uid (src/sandbox/). That is one short process per operation, where
 * a helper container would cost a container's start (with the vfs storage driver, a copy of the
 * image) for every fetch and submit.
 */
import { chmod, chown, lstat } from 'node:fs/promises';
import type Docker from 'dockerode';
import { removeUnixAccount, type UnixAccount } from '../../sandbox/unix-accounts.js';
import { dockerFailure, dockerStatus } from './docker-client.js';
import { SpawnerError } from './errors.js';
import { localUserStorage } from './local-user-storage.js';
import type { UserStorage } from './spawner.js';

/** The seed's name of a user's volume. */
export function userVolumeName(userName: string): string {
  return `jupyterhub-user-${userName}`;
}

/**
 * The user's volume, made when missing, its root owned by the user (0700), so that the start
 * script and the hub find a home of the user's own; returns its folder on the Docker host.
 */
export async function ensureUserVolume(
  docker: Docker,
  userName: string,
  owner: UnixAccount,
): Promise<string> {
  const name = userVolumeName(userName);
  let mountpoint: string;
  try {
    const volume = await docker
      .getVolume(name)
      .inspect()
      .catch(async (error: unknown) => {
        if (dockerStatus(error) !== 404) throw error;
        // (dockerode answers a create with a handle, not the volume's details.)
        await docker.createVolume({ Name: name, Labels: { 'coursehub.user': userName } });
        return docker.getVolume(name).inspect();
      });
    mountpoint = volume.Mountpoint;
  } catch (error) {
    throw dockerFailure(`Could not make the volume ${name}`, error);
  }
  const root = await lstat(mountpoint).catch(() => undefined);
  if (!root?.isDirectory())
    throw new SpawnerError(`The volume ${name} has no folder on this host (${mountpoint}).`, {
      hint: "The hub reaches users' volumes on the Docker host: run it there, with the `local` volume driver.",
    });
  if (root.uid !== owner.uid || root.gid !== owner.gid) await chown(mountpoint, owner.uid, owner.gid);
  if ((root.mode & 0o777) !== 0o700) await chmod(mountpoint, 0o700);
  return mountpoint;
}

/** The user's files in their volume, with their uid (`owner` is their account). */
export function dockerUserStorage(
  docker: Docker,
  userName: string,
  owner: () => Promise<UnixAccount>,
): UserStorage {
  const storage = localUserStorage(async () => {
    const account = await owner();
    return { ...account, home: await ensureUserVolume(docker, userName, account) };
  }, true);
  // A backup asks before it reads: without this it would make a volume for every user.
  const exists = async () =>
    docker
      .getVolume(userVolumeName(userName))
      .inspect()
      .then(
        () => true,
        (error: unknown) => {
          if ((error as { statusCode?: number }).statusCode === 404) return false;
          throw dockerFailure(`Could not look up the volume ${userVolumeName(userName)}`, error);
        },
      );
  return { ...storage, exists };
}

/**
 * A removed user's volume and Unix account (the uid they had) go for good, so that a new user of
 * the same name starts with nothing of theirs. Both Docker spawners do this for the default server.
 */
export async function removeUserForever(
  docker: Docker,
  userName: string,
  homeRoot: string,
  log: { info(details: object, message: string): void },
): Promise<void> {
  const name = userVolumeName(userName);
  await docker
    .getVolume(name)
    .remove()
    .catch((error: unknown) => {
      if (dockerStatus(error) !== 404) throw dockerFailure(`Could not remove the volume ${name}`, error);
    });
  log.info({ user: userName, volume: name }, "removed a removed user's volume");
  if (process.getuid?.() === 0) await removeUnixAccount(userName, homeRoot);
}
