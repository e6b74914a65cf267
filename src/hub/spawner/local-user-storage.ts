/**
 * The local spawner's user storage: the user's home, reached through their own Unix account
 * (src/sandbox/account-files.ts), so the hub reads and writes there with the user's rights only.
 */
import { existsSync } from 'node:fs';
import { AccountFiles } from '../../sandbox/account-files.js';
import { AccountFolderTar } from '../../sandbox/account-folder-tar.js';
import type { UnixAccount } from '../../sandbox/unix-accounts.js';
import type { UserStorage } from './spawner.js';

/**
 * @param account the user's account and home (made on first use, as for a start)
 * @param actAs whether to switch to that account (false for a hub that is not root: it has none other)
 * @param home where the home is, to tell whether it exists without making it (a backup asks)
 */
export function localUserStorage(
  account: () => Promise<UnixAccount>,
  actAs: boolean,
  home?: string,
): UserStorage {
  const files = async () => {
    const owner = await account();
    return new AccountFiles(owner.home, actAs ? owner : undefined);
  };
  const tar = async () => {
    const owner = await account();
    return new AccountFolderTar(owner.home, actAs ? owner : undefined);
  };
  return {
    readFile: async (path, options) => (await files()).readFile(path, options),
    writeFile: async (path, data) => (await files()).writeFile(path, data),
    listFolder: async (path) => (await files()).listFolder(path),
    ...(home === undefined ? {} : { exists: async () => existsSync(home) }),
    packFolder: async (path, limits, options = {}) => (await tar()).packFiles(path, limits, options.exclude),
    unpackFolder: async (path, packed, options) => {
      // The folder is made by tar as the user: unpack at the root with the path as a prefix.
      const report = await (await tar()).unpackFiles('', packed, { ...options, prefix: path });
      // tar names what it skipped below the root, folders too: keep the files asked for.
      const prefix = path.split('/').filter(Boolean).join('/');
      const skipped = new Set(report.kept);
      return {
        kept: packed
          .map((file) => file.path)
          .filter((file) => skipped.has(prefix ? `${prefix}/${file}` : file)),
      };
    },
  };
}
