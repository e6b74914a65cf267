/**
 * collect's file work for a whole class, done in worker threads (./collect-files-worker.ts
 * says why and by which rules): look at what is collected already, build every copy beside its
 * place, rename them in. `close` hands the threads back to a small pool, where they wait a few
 * seconds for the next collect (starting one costs tens of milliseconds, a fair part of a class's
 * collect) before they end; they end with the hub too (a kill -9 stops them where they are, as
 * it would stop the hub's own calls).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { REPLACED, stagePrefix } from '../course/staged-folder.js';
import { startProgram } from '../util/start-worker.js';
import {
  collectFilesProgram,
  type CollectFilesReply,
  type CollectFilesRequest,
  type CopyJob,
  type Inspection,
  type Staged,
} from './collect-files-worker.js';
import { ReleaseRefusedError } from './errors.js';

export type { CopyJob, Inspection };

/**
 * The worker threads: as many as the machine has cores (at most MAX_THREADS), each taking an equal
 * run of the students; a small class gets one.
 */
export class CollectFiles {
  private readonly lanes: WorkerLane[];

  /**
   * @param root the course directory: the folders from it down to each target must be real
   *   folders
   * @param label names the stages (`.ASSIGNMENT.LABEL-UUID`)
   * @param students how many students the collect has (sets the number of threads)
   */
  constructor(
    private readonly root: string,
    private readonly label: string,
    students: number,
  ) {
    const threads = Math.max(
      1,
      Math.min(availableParallelism(), MAX_THREADS, Math.ceil(students / STUDENTS_PER_THREAD)),
    );
    this.lanes = Array.from({ length: threads }, () => idleLanes.take() ?? new WorkerLane());
  }

  /** For each target: is a collected copy there, and its time stamp. Cleans up stale stages. */
  async inspect(targets: string[]): Promise<Inspection[]> {
    const places = targets.map((target) => ({
      target,
      stagePrefix: stagePrefix(target, this.label),
      replacedPrefix: stagePrefix(target, REPLACED),
    }));
    const found = await this.split(places, (lane, part) =>
      lane.request({ op: 'inspect', root: this.root, places: part }),
    );
    return found.flat() as Inspection[];
  }

  /**
   * Every job's copy built beside its target, not synced: their paths, and whether file data was
   * written (not only links). On a failure, none is left.
   */
  async stage(jobs: CopyJob[]): Promise<Staged> {
    const named = jobs.map((job) => ({ ...job, stagePrefix: stagePrefix(job.target, this.label) }));
    const staged = await Promise.allSettled(
      this.parts(named).map((part, i) =>
        this.lanes[i]!.request({ op: 'stage', root: this.root, jobs: part }),
      ),
    );
    const failed = staged.find((outcome) => outcome.status === 'rejected');
    const done = staged.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value as Staged] : [],
    );
    if (!failed) return { stages: done.flatMap((d) => d.stages), wroteData: done.some((d) => d.wroteData) };
    // The lane that failed removed its own stages; the others' go too.
    await this.discard(done.flatMap((d) => d.stages));
    throw failed.reason;
  }

  /** The stages renamed over their targets; a lane that fails removes the stages it had left. */
  async commit(moves: { stage: string; target: string }[]): Promise<void> {
    const named = moves.map((move) => ({ ...move, replacedPrefix: stagePrefix(move.target, REPLACED) }));
    await this.split(named, (lane, part) => lane.request({ op: 'commit', moves: part }));
  }

  async discard(stages: string[]): Promise<void> {
    await this.split(stages, (lane, part) => lane.request({ op: 'discard', stages: part }));
  }

  /** The threads back to the pool (a thread that failed ends). */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => idleLanes.give(lane)));
  }

  /** `items` in as many consecutive runs as there are lanes. */
  private parts<T>(items: T[]): T[][] {
    const size = Math.ceil(items.length / this.lanes.length);
    return this.lanes.map((_, i) => items.slice(i * size, (i + 1) * size));
  }

  /** Each lane's run of `items` to `work`, all at once; the results in the items' order. */
  private async split<T>(
    items: T[],
    work: (lane: WorkerLane, part: T[]) => Promise<unknown>,
  ): Promise<unknown[]> {
    return Promise.all(this.parts(items).map((part, i) => work(this.lanes[i]!, part)));
  }
}

/** Threads at most: the copies share the disk, and more threads than that only wait on it. */
const MAX_THREADS = 4;
/** Below this many students per thread, another thread costs more to start than it saves. */
const STUDENTS_PER_THREAD = 200;

/** How long an idle thread waits for the next collect before it ends. */
const IDLE_MS = 10_000;

/** Threads between collects; each ends after IDLE_MS unused. They never keep the process alive. */
class IdleLanes {
  private readonly lanes = new Map<WorkerLane, NodeJS.Timeout>();

  take(): WorkerLane | undefined {
    for (const [lane, timer] of this.lanes) {
      clearTimeout(timer);
      this.lanes.delete(lane);
      if (lane.healthy) return lane;
    }
    return undefined;
  }

  async give(lane: WorkerLane): Promise<void> {
    if (!lane.healthy || this.lanes.size >= MAX_THREADS) return lane.close();
    const timer = setTimeout(() => {
      this.lanes.delete(lane);
      void lane.close();
    }, IDLE_MS).unref();
    this.lanes.set(lane, timer);
  }
}

const idleLanes = new IdleLanes();

/** One worker thread, one request at a time; it holds the process open only while it works. */
class WorkerLane {
  private readonly worker: Worker;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  private failed: Error | undefined;

  constructor() {
    this.worker = startProgram(collectFilesProgram);
    this.worker.unref();
    this.worker.on('message', (reply: CollectFilesReply) => {
      const pending = this.pending;
      this.pending = undefined;
      this.worker.unref();
      if (reply.ok) pending?.resolve(reply.value);
      else pending?.reject(failureError(reply.failure));
    });
    const stop = (error: Error) => {
      this.failed = error;
      this.pending?.reject(error);
      this.pending = undefined;
    };
    this.worker.on('error', stop);
    this.worker.on('exit', (code) => stop(new Error(`collect's worker thread ended (exit code ${code}).`)));
  }

  request(request: CollectFilesRequest): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending) return Promise.reject(new Error('collect-files: one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  /** Still able to take requests: its thread runs and nothing is pending. */
  get healthy(): boolean {
    return this.failed === undefined && this.pending === undefined;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** A refusal the instructor can act on, or the file system's own error (with its code). */
function failureError(failure: { message: string; hint?: string; code?: string }): Error {
  if (failure.hint !== undefined) return new ReleaseRefusedError(failure.message, { hint: failure.hint });
  return Object.assign(new Error(failure.message), failure.code !== undefined ? { code: failure.code } : {});
}
