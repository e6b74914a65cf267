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
 *
 * The thread runs `collectFilesProgram`'s source text (src/util/start-worker.ts says why), so the
 * function uses nothing from outside its body but the Node modules it loads with `load`; the
 * names of stages come with each request (staged-folder.ts names them).
 */
/** A target and the names of what collects leave beside it (named by src/course/staged-folder.ts). */
export interface Place {
  target: string;
  /** Stages being built: `.NAME.LABEL-` (a UUID follows). */
  stagePrefix: string;
  /** An old copy set aside while its replacement is renamed in. */
  replacedPrefix: string;
}

/** A stage renamed over its target. */
export interface Move {
  stage: string;
  target: string;
  replacedPrefix: string;
}

/** One student's copy: the submission's folder into a stage beside `target`, plus one file. */
export interface CopyJob {
  source: string;
  target: string;
  /** How messages name the source (its path in the exchange's area). */
  sourceLabel: string;
  /**
   * A top-level file the copy holds with this text (nbgrader's timestamp.txt) in place of any of
   * the source's: the file at `stored` when there is one (submit stores the hub's time stamp
   * beside the submission), else written anew (a submission stored before submit did).
   */
  stamp: { name: string; text: string; stored: string };
}

/** The stages built, and whether any file data was written for them (not only links). */
export interface Staged {
  stages: string[];
  wroteData: boolean;
}

/** A job as the thread gets it. */
export interface StageJob extends CopyJob {
  stagePrefix: string;
}

/** What is at a target already. */
export interface Inspection {
  targetThere: boolean;
  /** Its timestamp.txt, when that is a regular file. */
  timestampText?: string;
}

export type CollectFilesRequest =
  | { op: 'inspect'; root: string; places: Place[] }
  | { op: 'stage'; root: string; jobs: StageJob[] }
  | { op: 'commit'; moves: Move[] }
  | { op: 'discard'; stages: string[] };

export type CollectFilesReply =
  { ok: true; value: unknown } | { ok: false; failure: { message: string; hint?: string; code?: string } };

export function collectFilesProgram(load: NodeJS.Require): void {
  const { randomUUID } = load('node:crypto') as typeof import('node:crypto');
  const fs = load('node:fs') as typeof import('node:fs');
  const { dirname, join, relative, sep } = load('node:path') as typeof import('node:path');
  const { parentPort } = load('node:worker_threads') as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('collectFilesProgram runs in a worker thread.');
  const { constants } = fs;

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
          fs.mkdirSync(at, { mode: FOLDER_MODE });
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
        const info = fs.lstatSync(at, { throwIfNoEntry: false });
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
  function inspect(root: string, places: readonly Place[]): Inspection[] {
    const folders = new FoldersOnTheWay(root);
    return places.map((place) => {
      const { target } = place;
      if (!folders.there(dirname(target))) return { targetThere: false };
      removeStaleStages(place);
      const targetThere = fs.lstatSync(target, { throwIfNoEntry: false }) !== undefined;
      return targetThere
        ? { targetThere, timestampText: readTimestamp(join(target, 'timestamp.txt')) }
        : { targetThere };
    });
  }

  /** A regular file's text, never through a link nor from a FIFO (it would block); undefined otherwise. */
  function readTimestamp(path: string): string | undefined {
    let fd: number;
    try {
      fd = fs.openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return undefined; // missing or a link: no time stamp
    }
    try {
      return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd, 'utf8') : undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** staged-folder.ts's removeStaleStages, synchronously. */
  function removeStaleStages({ target, stagePrefix, replacedPrefix }: Place): void {
    const parent = dirname(target);
    const names = fs.readdirSync(parent);
    for (const name of names)
      if (name.startsWith(stagePrefix)) fs.rmSync(join(parent, name), { recursive: true, force: true });
    for (const name of names.filter((n) => n.startsWith(replacedPrefix))) {
      const aside = join(parent, name);
      if (fs.lstatSync(target, { throwIfNoEntry: false })) fs.rmSync(aside, { recursive: true, force: true });
      else fs.renameSync(aside, target); // an unfinished replacement: the old copy goes back
    }
  }

  /** Each job's copy built beside its target; the stages' paths, in order. All or none are left. */
  function stage(root: string, jobs: readonly StageJob[]): Staged {
    const folders = new FoldersOnTheWay(root);
    const stages: string[] = [];
    wroteData = false;
    linking = true; // the thread is kept between collects, whose course directories may differ
    try {
      for (const job of jobs) {
        const parent = dirname(job.target);
        folders.ensure(parent);
        const path = join(parent, job.stagePrefix + randomUUID());
        fs.mkdirSync(path, { mode: FOLDER_MODE });
        stages.push(path);
        copyFolder(job.source, path, job);
        if (!placeStored(job.stamp.stored, join(path, job.stamp.name))) {
          writeNewFile(join(path, job.stamp.name), job.stamp.text);
          wroteData = true;
        }
      }
    } catch (error) {
      discard(stages);
      throw error;
    }
    return { stages, wroteData };
  }

  /**
   * The area's file at `from` placed at `to`, when it is there (false when not). The area is the
   * hub's alone (0700), and submit writes a submission's stamp from the same time stamp as its
   * row, so the file is not read to be believed.
   */
  function placeStored(from: string, to: string): boolean {
    try {
      placeFile(from, to);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT' && !fs.existsSync(to)) return false;
      throw error;
    }
  }

  /** Set by a stage request that copied or wrote file data (collect then syncs before renaming). */
  let wroteData = false;

  /**
   * Whether the area's files can be linked into the course directory: true until a link of this
   * request fails because the two are on different file systems (or the file system has none).
   */
  let linking = true;

  /**
   * A file of the area put at `to`: a hard link when the course directory is on the area's file
   * system, a copy made in the kernel otherwise. A link is a copy here because neither side is
   * ever written in place: the area's files are immutable, and the collected ones are root's (or
   * the hub's), read-only to instructors, whose Jupyter replaces rather than rewrites a file it
   * cannot write. A class's collect then writes no file data at all, which is what brings it
   * near `cp -a` of the same folders (bench/exchange.ts).
   */
  function placeFile(from: string, to: string): void {
    if (linking) {
      try {
        fs.linkSync(from, to);
        return;
      } catch (error) {
        if (!CANNOT_LINK.has(errorCode(error) ?? '')) throw error;
        linking = false;
      }
    }
    fs.copyFileSync(from, to, constants.COPYFILE_EXCL);
    wroteData = true;
  }

  /** What link(2) answers when a copy would do: another file system, none, or too many links. */
  const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

  /** The folder `from` (the exchange's own area) put into the empty folder `to`. */
  function copyFolder(from: string, to: string, job: StageJob): void {
    const walk = (path: string): void => {
      if (path) fs.mkdirSync(join(to, path), { mode: FOLDER_MODE });
      for (const entry of fs.readdirSync(join(from, path), { withFileTypes: true })) {
        const child = path ? `${path}/${entry.name}` : entry.name;
        if (!path && entry.name === job.stamp.name) continue; // the student's own: stage puts the hub's
        if (entry.isDirectory()) walk(child);
        else if (entry.isFile()) placeFile(join(from, child), join(to, child));
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
    const fd = fs.openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      FILE_MODE,
    );
    try {
      fs.writeSync(fd, text);
      fs.fchmodSync(fd, FILE_MODE); // whatever the umask
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Each stage renamed over its target (an old copy set aside first and removed after, as
   * staged-folder.ts commits). On a failure the stages not yet renamed in are removed.
   */
  function commit(moves: readonly Move[]): void {
    let done = 0;
    try {
      for (const { stage, target, replacedPrefix } of moves) {
        const aside = join(dirname(target), replacedPrefix + randomUUID());
        let replacing = true;
        try {
          fs.renameSync(target, aside);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw error;
          replacing = false;
        }
        try {
          fs.renameSync(stage, target);
        } catch (error) {
          if (replacing) fs.renameSync(aside, target);
          throw error;
        }
        done++;
        if (replacing) fs.rmSync(aside, { recursive: true, force: true });
      }
    } catch (error) {
      discard(moves.slice(done).map((move) => move.stage));
      throw error;
    }
  }

  function discard(stages: readonly string[]): void {
    for (const path of stages) fs.rmSync(path, { recursive: true, force: true });
  }

  function handle(request: CollectFilesRequest): unknown {
    switch (request.op) {
      case 'inspect':
        return inspect(request.root, request.places);
      case 'stage':
        return stage(request.root, request.jobs);
      case 'commit':
        commit(request.moves);
        return undefined;
      case 'discard':
        discard(request.stages);
        return undefined;
    }
  }

  parentPort.on('message', (request: CollectFilesRequest) => {
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
    parentPort.postMessage(reply);
  });
}
