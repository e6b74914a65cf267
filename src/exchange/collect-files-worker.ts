/**
 * The worker thread of ./collect-files.ts: collect's file work for a whole class, with synchronous
 * calls. A submission is a handful of small files, so each student is a few dozen tiny system
 * calls; made one by one through libuv's thread pool from the event loop, each cost more in hand-offs
 * than in the kernel (collect of 2,000 students took 10x `cp -a` of the same folders). Here they
 * run back to back, off the event loop, as cp does them.
 *
 * The rules are those of the hub's other staged folders (src/course/staged-folder.ts): each copy
 * is built beside its place and renamed in; the folders from the course root down to a student's
 * folder must be real folders (the course directory is writable by its instructors, and the hub,
 * as root, must not follow a link planted there); files are created with O_EXCL and copied in the
 * kernel (copy_file_range); a link or a special file in a submission is refused by name.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  copyFileSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  fchmodSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { REPLACED, stagePrefix } from '../course/staged-folder.js';
import type { CollectFilesReply, CollectFilesRequest, Inspection, StageJob } from './collect-files.js';

const FILE_MODE = 0o644;
const FOLDER_MODE = 0o755;

/** A refusal the hub shows the instructor (a ReleaseRefusedError on the other side). */
class Refusal extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * The folders from the course root down to students' folders, each looked at once per request
 * (2,000 students share one submitted/).
 */
class FoldersOnTheWay {
  private readonly known = new Map<string, 'folder' | 'missing'>();

  constructor(private readonly root: string) {}

  /** Whether `folder` is there; throws a Refusal if anything on the way is not a real folder. */
  there(folder: string): boolean {
    let at = this.root;
    for (const part of this.parts(folder)) {
      at = `${at}/${part}`;
      if (this.look(at) === 'missing') return false; // nor anything below it
    }
    return true;
  }

  /** Makes `folder` and the missing folders above it; a link or a file on the way is refused. */
  ensure(folder: string): void {
    let at = this.root;
    for (const part of this.parts(folder)) {
      at = `${at}/${part}`;
      if (this.known.get(at) === 'folder') continue;
      try {
        mkdirSync(at, { mode: FOLDER_MODE });
        this.known.set(at, 'folder');
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
        this.known.delete(at);
        if (this.look(at) !== 'folder') throw notAFolder(at);
      }
    }
  }

  private parts(folder: string): string[] {
    return relative(this.root, folder).split(sep).filter(Boolean);
  }

  private look(at: string): 'folder' | 'missing' {
    let seen = this.known.get(at);
    if (seen === undefined) {
      const info = lstatSync(at, { throwIfNoEntry: false });
      if (info && !info.isDirectory()) throw notAFolder(at);
      seen = info ? 'folder' : 'missing';
      this.known.set(at, seen);
    }
    return seen;
  }
}

const notAFolder = (at: string) =>
  new Refusal(
    `${at} is not a folder (a link or a file); nothing was collected there.`,
    'Remove it; collect makes the folder itself.',
  );

/** What is at each target already: is its folder there, and the text of its timestamp.txt. */
function inspect(root: string, targets: readonly string[], label: string): Inspection[] {
  const folders = new FoldersOnTheWay(root);
  return targets.map((target) => {
    if (!folders.there(dirname(target))) return { targetThere: false };
    removeStaleStages(target, label);
    const targetThere = lstatSync(target, { throwIfNoEntry: false }) !== undefined;
    return targetThere
      ? { targetThere, timestampText: readTimestamp(join(target, 'timestamp.txt')) }
      : { targetThere };
  });
}

/** A regular file's text, never through a link nor from a FIFO (it would block); undefined otherwise. */
function readTimestamp(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined; // missing or a link: no time stamp
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd, 'utf8') : undefined;
  } finally {
    closeSync(fd);
  }
}

/** staged-folder.ts's removeStaleStages, synchronously. */
function removeStaleStages(target: string, label: string): void {
  const parent = dirname(target);
  const names = readdirSync(parent);
  for (const name of names)
    if (name.startsWith(stagePrefix(target, label)))
      rmSync(join(parent, name), { recursive: true, force: true });
  for (const name of names.filter((n) => n.startsWith(stagePrefix(target, REPLACED)))) {
    const aside = join(parent, name);
    if (lstatSync(target, { throwIfNoEntry: false })) rmSync(aside, { recursive: true, force: true });
    else renameSync(aside, target); // an unfinished replacement: the old copy goes back
  }
}

/** Each job's copy built beside its target; the stages' paths, in order. All or none are left. */
function stage(root: string, jobs: readonly StageJob[], label: string): string[] {
  const folders = new FoldersOnTheWay(root);
  const stages: string[] = [];
  try {
    for (const job of jobs) {
      const parent = dirname(job.target);
      folders.ensure(parent);
      const path = join(parent, stagePrefix(job.target, label) + randomUUID());
      mkdirSync(path, { mode: FOLDER_MODE });
      stages.push(path);
      copyFolder(job.source, path, job);
      writeNewFile(join(path, job.extra.name), job.extra.text);
    }
  } catch (error) {
    discard(stages);
    throw error;
  }
  return stages;
}

/** The folder `from` (the exchange's own area) copied into the empty folder `to`. */
function copyFolder(from: string, to: string, job: StageJob): void {
  const walk = (path: string): void => {
    if (path) mkdirSync(join(to, path), { mode: FOLDER_MODE });
    for (const entry of readdirSync(join(from, path), { withFileTypes: true })) {
      const child = path ? `${path}/${entry.name}` : entry.name;
      if (!path && job.skip.includes(entry.name)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) copyFileSync(join(from, child), join(to, child), constants.COPYFILE_EXCL);
      else
        throw new Refusal(
          `${job.sourceLabel}/${child} is ${entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; nothing was copied.`,
          'Replace it with a real file (a copy), or remove it.',
        );
    }
  };
  walk('');
}

function writeNewFile(path: string, text: string): void {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    FILE_MODE,
  );
  try {
    writeSync(fd, text);
    fchmodSync(fd, FILE_MODE); // whatever the umask
  } finally {
    closeSync(fd);
  }
}

/**
 * Each stage renamed over its target (an old copy set aside first and removed after, as
 * staged-folder.ts commits). On a failure the stages not yet renamed in are removed.
 */
function commit(moves: readonly { stage: string; target: string }[]): void {
  let done = 0;
  try {
    for (const { stage, target } of moves) {
      const aside = join(dirname(target), stagePrefix(target, REPLACED) + randomUUID());
      let replacing = true;
      try {
        renameSync(target, aside);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
        replacing = false;
      }
      try {
        renameSync(stage, target);
      } catch (error) {
        if (replacing) renameSync(aside, target);
        throw error;
      }
      done++;
      if (replacing) rmSync(aside, { recursive: true, force: true });
    }
  } catch (error) {
    discard(moves.slice(done).map((move) => move.stage));
    throw error;
  }
}

function discard(stages: readonly string[]): void {
  for (const path of stages) rmSync(path, { recursive: true, force: true });
}

function handle(request: CollectFilesRequest): unknown {
  switch (request.op) {
    case 'inspect':
      return inspect(request.root, request.targets, request.label);
    case 'stage':
      return stage(request.root, request.jobs, request.label);
    case 'commit':
      commit(request.moves);
      return undefined;
    case 'discard':
      discard(request.stages);
      return undefined;
  }
}

parentPort!.on('message', (request: CollectFilesRequest) => {
  let reply: CollectFilesReply;
  try {
    reply = { ok: true, value: handle(request) };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    reply = {
      ok: false,
      failure: {
        message: failure.message,
        ...(error instanceof Refusal ? { hint: error.hint } : {}),
        ...(failure.code !== undefined ? { code: failure.code } : {}),
      },
    };
  }
  parentPort!.postMessage(reply);
});
