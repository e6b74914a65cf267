/**
 * `coursehub backup FILE`: the hub's data into one archive, while the hub runs. The database is
 * copied consistently (src/db/backup.ts); the data directory and course directories by GNU tar
 * (owners by name, modes); each user's files through their spawner's storage (`packFolder`, as
 * the user), so the same code backs up local homes today and Docker volumes when a spawner keeps
 * files there. The archive is written beside FILE and renamed into place, mode 600 (it holds the
 * cookie secret and everyone's work).
 */
import {
  chmodSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CoursehubConfig } from '../../config/schema.js';
import { backupDatabase } from '../../db/backup.js';
import { folderArchive } from '../../sandbox/folder-archive.js';
import { INSTALLATION_ROOT } from '../../hub/installation.js';
import { databaseUrlOf, openHubDatabase } from '../open-database.js';
import { buildCoreServices } from '../services.js';
import { BACKUP_FORMAT, MANIFEST_FILE, type BackupManifest } from './manifest.js';
import { runTar } from './tar-command.js';

/** No limits of the exchange's for a backup: a home is taken whole. */
export const WHOLE_FOLDER = {
  maxFileBytes: Number.MAX_SAFE_INTEGER,
  maxTotalBytes: Number.MAX_SAFE_INTEGER,
  maxFiles: Number.MAX_SAFE_INTEGER,
};

/** What of the data directory is not copied as files: the database (copied on its own) and what a running proxy or hub makes afresh. */
const DATA_DIR_EXCLUDED = [
  './coursehub.sqlite',
  './coursehub.sqlite-wal',
  './coursehub.sqlite-shm',
  './proxy.pid',
  './proxy.log',
  './proxy_secret',
  './logs',
  './.coursehub-backup-*',
];

export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

function coursehubVersion(): string {
  return (JSON.parse(readFileSync(join(INSTALLATION_ROOT, 'package.json'), 'utf8')) as { version: string })
    .version;
}

export async function createBackup(
  config: CoursehubConfig,
  file: string,
  print: (line: string) => void,
): Promise<BackupManifest> {
  const target = resolve(file);
  const opened = await openHubDatabase(config, { migrate: false, createDataDir: false });
  const dataDir = resolve(opened.base.config.hub.dataDir);
  // Beside the archive (the same file system, so the rename below is atomic), named so that a
  // backup written into the data directory leaves it out.
  const staging = mkdtempSync(join(dirname(target), '.coursehub-backup-'));
  chmodSync(staging, 0o700);
  try {
    const services = buildCoreServices(opened.base);
    const databaseFile = `database/${opened.database.dialect === 'postgres' ? 'postgres.dump' : 'coursehub.sqlite'}`;
    const dialect = await backupDatabase(databaseUrlOf(opened.base.config), join(staging, databaseFile));
    print(`database (${dialect}) copied`);

    await runTar(
      [
        '-cf',
        join(staging, 'data.tar'),
        '--anchored',
        ...DATA_DIR_EXCLUDED.map((x) => `--exclude=${x}`),
        '-C',
        dataDir,
        '.',
      ],
      true,
    );
    const courses: BackupManifest['courses'] = [];
    mkdirSync(join(staging, 'courses'));
    for (const course of await services.courseStores.courses.all()) {
      const inData = isInside(dataDir, course.directory);
      const archive = inData ? null : `courses/${course.name}.tar`;
      if (archive) await runTar(['-cf', join(staging, archive), '-C', course.directory, '.'], true);
      courses.push({ id: course.name, directory: course.directory, unixGroup: course.unixGroup, archive });
    }
    print(`${courses.length} course(s) copied`);

    const homes: BackupManifest['homes'] = [];
    const skipped: BackupManifest['skipped'] = [];
    mkdirSync(join(staging, 'homes'));
    for (const user of await services.stores.users.all()) {
      const storage = services.userStorage(user.name);
      if (storage.exists && !(await storage.exists())) continue; // never had any files
      try {
        // Whole, in memory (FolderTransfer hands files over as buffers): a home of N GB needs N GB
        // of the hub's memory for a moment. A streaming transfer would lift that.
        const files = await storage.packFolder('', WHOLE_FOLDER);
        const archive = `homes/${user.name}.tar`;
        await pipeline(folderArchive(files), createWriteStream(join(staging, archive), { mode: 0o600 }));
        homes.push({
          user: user.name,
          archive,
          files: files.length,
          bytes: files.reduce((n, f) => n + f.data.length, 0),
        });
      } catch (error) {
        skipped.push({ user: user.name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    print(`${homes.length} user(s)' files copied`);
    for (const { user, reason } of skipped) print(`warning: ${user}'s files were NOT copied: ${reason}`);

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      coursehubVersion: coursehubVersion(),
      database: { dialect, file: databaseFile },
      dataDir,
      courses,
      homes,
      skipped,
    };
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    // Beside the staging folder, not in it (tar reads that folder meanwhile).
    const partial = `${staging}.tar.gz`;
    await runTar(['-czf', partial, '-C', staging, '.']);
    chmodSync(partial, 0o600);
    renameSync(partial, target);
    print(`backup written to ${target}`);
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${staging}.tar.gz`, { force: true });
    await opened.close();
  }
}
