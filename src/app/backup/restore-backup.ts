/**
 * `coursehub restore FILE`: a backup (create-backup.ts) into this installation's configuration —
 * on an empty machine, or over an install only with `force`. In this order, so that every file
 * gets its owner by name: the database (then migrated: a backup of an older version comes up to
 * this one's schema), the course groups, each user's files through their spawner's storage (which
 * makes the user's account, as a first start would), the data directory, and course directories
 * kept elsewhere. Course directories that were in the old data directory follow the new one.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { CoursehubConfig } from '../../config/schema.js';
import { databaseHasUsers, restoreDatabase } from '../../db/backup.js';
import { openDatabase } from '../../db/database.js';
import { ensureCourseGroup } from '../../sandbox/course-groups.js';
import { readFolderArchive } from '../../sandbox/folder-archive.js';
import { databaseUrlOf, openHubDatabase } from '../open-database.js';
import { buildCoreServices } from '../services.js';
import { WHOLE_FOLDER, isInside } from './create-backup.js';
import { BackupError, readManifest, type BackupManifest } from './manifest.js';
import { runTar } from './tar-command.js';

export interface RestoreOptions {
  /** Restore over an install that has data. */
  force: boolean;
}

function hasEntries(folder: string): boolean {
  return existsSync(folder) && readdirSync(folder).length > 0;
}

/** What of this install already holds data (empty: none). */
async function existingData(config: CoursehubConfig, manifest: BackupManifest): Promise<string[]> {
  const found: string[] = [];
  const dataDir = resolve(config.hub.dataDir);
  if (hasEntries(dataDir)) found.push(`the data directory ${dataDir} is not empty`);
  if (config.db.url !== undefined && /^postgres/.test(config.db.url)) {
    const database = openDatabase({ url: config.db.url });
    try {
      if (await databaseHasUsers(database.db)) found.push('the database (db.url) has users');
    } finally {
      await database.close();
    }
  }
  for (const course of manifest.courses)
    if (course.archive && hasEntries(course.directory))
      found.push(`the course directory ${course.directory} of ${course.id} is not empty`);
  return found;
}

export async function restoreBackup(
  config: CoursehubConfig,
  file: string,
  options: RestoreOptions,
  print: (line: string) => void,
): Promise<BackupManifest> {
  const staging = mkdtempSync(join(tmpdir(), 'coursehub-restore-'));
  try {
    await runTar(['-xzf', resolve(file), '-C', staging]);
    const manifest = readManifest(staging);
    const found = await existingData(config, manifest);
    if (found.length > 0 && !options.force)
      throw new BackupError(`Refusing to restore over an install that has data: ${found.join('; ')}.`, {
        hint: 'Restore into an empty data directory and database, or pass --force to overwrite what is there.',
      });

    const dataDir = resolve(config.hub.dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    await restoreDatabase(
      databaseUrlOf(config),
      join(staging, manifest.database.file),
      manifest.database.dialect,
    );
    const opened = await openHubDatabase(config, { migrate: true, createDataDir: true });
    try {
      const services = buildCoreServices(opened.base);
      print(`database (${manifest.database.dialect}) restored`);
      // Groups and accounts first, so that the files below get their owners by name.
      if (process.getuid?.() === 0)
        for (const course of manifest.courses) if (course.unixGroup) await ensureCourseGroup(course.id);
      for (const home of manifest.homes) {
        const files = await readFolderArchive(
          createReadStream(join(staging, home.archive)),
          WHOLE_FOLDER,
          home.user,
        );
        await services.userStorage(home.user).unpackFolder('', files, { keepExisting: false });
      }
      print(`${manifest.homes.length} user(s)' files restored`);
      await runTar(['-xpf', join(staging, 'data.tar'), '-C', dataDir]);
      for (const course of manifest.courses) {
        if (course.archive) {
          mkdirSync(course.directory, { recursive: true });
          await runTar(['-xpf', join(staging, course.archive), '-C', course.directory]);
        } else if (resolve(manifest.dataDir) !== dataDir && isInside(manifest.dataDir, course.directory)) {
          // It came with the data directory: it is now below the new one.
          const row = await services.courseStores.courses.findByName(course.id);
          const moved = join(dataDir, relative(manifest.dataDir, course.directory));
          if (row) await services.courseStores.courses.update(row.id, { directory: moved });
        }
      }
      print(`${manifest.courses.length} course(s) restored`);
      if (manifest.skipped.length > 0)
        print(
          `warning: the backup lacks the files of ${manifest.skipped.map((s) => s.user).join(', ')} (see its manifest)`,
        );
    } finally {
      await opened.close();
    }
    return manifest;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
