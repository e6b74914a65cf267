/**
 * A backup archive's table of contents, `coursehub-backup.json` at its top: what the archive
 * holds and where each part came from, read back by restore before it touches anything.
 *
 *   coursehub-backup.json   this manifest
 *   database/<file>         the database (SQLite's online backup, or pg_dump's custom format)
 *   data.tar                the data directory (exchange area: releases, submissions, feedback;
 *                           cookie secret; course directories kept there) with owners and modes
 *   courses/<id>.tar        each course directory kept outside the data directory
 *   homes/<user>.tar        each user's files, read through the spawner's storage as the user
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect } from '../../db/schema-helpers.js';
import { CoursehubError } from '../../util/errors.js';

export const MANIFEST_FILE = 'coursehub-backup.json';
export const BACKUP_FORMAT = 1;

export class BackupError extends CoursehubError {}

export interface BackupManifest {
  format: number;
  createdAt: string;
  coursehubVersion: string;
  database: { dialect: Dialect; file: string };
  /** The data directory the backup was made from (its course directories are found below it). */
  dataDir: string;
  courses: { id: string; directory: string; unixGroup: string | null; archive: string | null }[];
  homes: { user: string; archive: string; files: number; bytes: number }[];
  /** Users whose files could not be read (a symbolic link in their home, ...), and why. */
  skipped: { user: string; reason: string }[];
}

export function readManifest(folder: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(folder, MANIFEST_FILE), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new BackupError(`This archive has no readable ${MANIFEST_FILE}: it is not a coursehub backup.`, {
      hint: 'Give a file `coursehub backup` wrote.',
      cause: error,
    });
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new BackupError(
      `This backup has format ${manifest.format}; this coursehub reads format ${BACKUP_FORMAT}.`,
      {
        hint: 'Restore it with the coursehub version that made it, then upgrade that installation.',
      },
    );
  return manifest;
}
