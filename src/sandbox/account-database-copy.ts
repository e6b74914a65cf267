/**
 * A copy of the machine's account database (/etc/passwd, group, shadow, gshadow), kept in a
 * folder that outlives the machine's /etc: in the coursehub image, the hub's data volume. A
 * container's /etc is the image's again each time the container is made (`make build && make up`
 * makes a new one), so the accounts the hub made would vanish, and a user's next account could get
 * another uid than the files in their volume carry. The image's entry point
 * (share/docker/hub-entrypoint.sh) adds the copied entries back before the hub starts.
 *
 * Why a copy rather than the files themselves on the volume: useradd and groupadd replace
 * /etc/passwd and the others by renaming a new file over them, which a bind-mounted file refuses.
 *
 * Only where COURSEHUB_ACCOUNTS_COPY names the folder (the image sets it): on an ordinary machine
 * /etc is already kept, and a copy of /etc/shadow elsewhere would be one more thing to guard.
 */
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';

const FILES = ['passwd', 'group', 'shadow', 'gshadow'] as const;
const ETC = '/etc';

let saving: Promise<unknown> = Promise.resolve();

/**
 * Copies the account database into the copy's folder after an account or group was made or
 * removed. Saves run one after another and each reads /etc when its turn comes, so the last one
 * to finish holds the latest state; each file is replaced by a rename, so a crash leaves either
 * the old copy or the new one, never half of one.
 */
export function saveAccountDatabase(folder = process.env.COURSEHUB_ACCOUNTS_COPY): Promise<void> {
  if (!folder) return Promise.resolve();
  const job = saving.then(async () => {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    for (const file of FILES) {
      const partial = join(folder, `.${file}.partial`);
      // A missing gshadow (some images have none) is not an error: there is nothing to keep.
      const copied = await copyFile(join(ETC, file), partial).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      if (copied) await rename(partial, join(folder, file));
    }
  });
  saving = job.catch(() => undefined);
  return job;
}
