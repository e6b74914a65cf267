/**
 * What the exchange stamps a folder of files with: the hub's clock (naive UTC with microseconds,
 * as nbgrader writes `timestamp.txt`: `%Y-%m-%d %H:%M:%S.%f %Z`) and a checksum of the snapshot
 * (sha256 over the sorted paths and contents), the student's receipt.
 */
import { createHash } from 'node:crypto';
import type { PackedFile } from '../sandbox/folder-archive.js';

/** sha256 over every file: its path, its length and its bytes, in path order. */
export function snapshotChecksum(files: readonly PackedFile[]): string {
  const hash = createHash('sha256');
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    hash.update(`${file.path}\0${file.data.length}\0`);
    hash.update(file.data);
  }
  return hash.digest('hex');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The hub's clock as naive UTC with microseconds: `2026-12-03 15:00:00.123456`. */
export function hubTimestamp(now: Date = new Date()): string {
  return (
    `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())} ` +
    `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.` +
    `${pad(now.getUTCMilliseconds() * 1000, 6)}`
  );
}

/** nbgrader's timestamp.txt text for a hub timestamp: `2026-12-03 15:00:00.123456 UTC`. */
export function timestampText(timestamp: string): string {
  return `${timestamp} UTC`;
}

/** A timestamp as a folder name: `20261203T150000.123456Z`. */
export function timestampFolderName(timestamp: string): string {
  return timestamp.replace(/[-:]/g, '').replace(' ', 'T') + 'Z';
}
