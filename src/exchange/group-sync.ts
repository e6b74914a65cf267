/**
 * Durability for many writers at once: syncfs(2) of the file system (coreutils `sync -f`), shared
 * by every caller that asks while one is pending. 200 students submitting at the same moment then
 * cost a handful of file-system syncs instead of an fsync per file and folder of each, and each
 * caller still resumes only after a sync that started after its own writes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class GroupSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** @param path any path on the file system to sync (the exchange's area) */
  constructor(private readonly path: string) {}

  /** Resolves once everything written before the call is on disk. */
  sync(): Promise<void> {
    // A sync that has not started yet covers this caller's writes too.
    if (this.queued) return this.queued;
    const queued = (this.running ?? Promise.resolve()).then(() => {
      this.queued = undefined;
      const running = run('/usr/bin/sync', ['--file-system', this.path]).then(() => undefined);
      this.running = running.finally(() => {
        if (this.running === tracked) this.running = undefined;
      });
      const tracked = this.running;
      return running;
    });
    this.queued = queued;
    return queued;
  }
}
