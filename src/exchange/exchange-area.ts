/**
 * The exchange's own file area, DATA_DIR/exchange/ (root only, 0700): per course
 *
 *   COURSE/releases/ASSIGNMENT/vN/                   an immutable copy of release/ASSIGNMENT/
 *   COURSE/submissions/STUDENT/ASSIGNMENT/STAMP-ID/  every submission, immutable
 *   COURSE/submissions/STUDENT/ASSIGNMENT/STAMP-ID.timestamp.txt  its nbgrader timestamp.txt
 *   COURSE/feedback/STUDENT/ASSIGNMENT/STAMP-SUM/    released feedback
 *
 * A folder is built beside its place (`.NAME.partial-UUID`), every file and folder fsynced, then
 * renamed into place; only then does the caller write the row that points at it. A kill -9 thus
 * leaves a partial folder (never read) or a complete, unrecorded one; `sweep` at start removes
 * both, so what is on disk is exactly what the rows say.
 *
 * A submission's folder is the student's snapshot exactly (its checksum is the receipt's); the
 * hub's timestamp.txt for it lies beside it, written with it, so that collect can link both into
 * the course directory instead of writing a file per student.
 */
import { randomUUID } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PackedFile } from '../sandbox/folder-archive.js';
import { FILE_MODES, readFolderFiles, writeFilesUnsynced } from './folder-files.js';
import { GroupSync } from './group-sync.js';

/** How many levels below COURSE/KIND/ each kind's leaf folders are (releases/A/vN: 2). */
const LEAF_DEPTH: Record<string, number> = { releases: 2, submissions: 3, feedback: 3 };

/** What a leaf folder's own timestamp.txt is called beside it (`STAMP-ID.timestamp.txt`). */
const STAMP_SUFFIX = '.timestamp.txt';

export class ExchangeArea {
  /** Shared syncs of the area's file system (many submits at once share each). */
  readonly durable: GroupSync;
  /** Release copies never change: read once, kept (each submit compares against its release). */
  private readonly releases = new Map<string, Promise<PackedFile[]>>();

  constructor(readonly root: string) {
    this.durable = new GroupSync(root);
  }

  private async ensureRoot(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await chmod(this.root, 0o700);
  }

  /**
   * Puts a complete copy of `files` at `relative` (a leftover there is replaced), and with
   * `stampText` its timestamp.txt beside it (see stampPath).
   */
  async put(relative: string, files: readonly PackedFile[], stampText?: string): Promise<void> {
    await this.ensureRoot();
    const target = join(this.root, relative);
    const parent = dirname(target);
    await mkdir(parent, { recursive: true, mode: 0o755 });
    const stage = join(parent, `.${basename(target)}.partial-${randomUUID()}`);
    try {
      await writeFilesUnsynced(stage, files);
      // Before the folder: a stamp without its folder is swept; a folder is never without it.
      if (stampText !== undefined) {
        await writeFile(this.stampPath(relative), stampText);
        await chmod(this.stampPath(relative), FILE_MODES.file); // whatever the umask
      }
      await this.durable.sync(); // every file and folder of the stage on disk before the rename
      // A complete folder nobody recorded (a run killed after its rename): this one replaces it.
      await rm(target, { recursive: true, force: true });
      await rename(stage, target);
      await this.durable.sync(); // the rename on disk before the caller writes the row
    } catch (error) {
      await rm(stage, { recursive: true, force: true });
      throw error;
    }
  }

  async read(relative: string): Promise<PackedFile[]> {
    return readFolderFiles(join(this.root, relative), { label: relative });
  }

  /** A release copy (immutable once recorded), read once per hub process. */
  async readRelease(relative: string): Promise<PackedFile[]> {
    let files = this.releases.get(relative);
    if (!files) {
      files = this.read(relative);
      this.releases.set(relative, files);
      files.catch(() => this.releases.delete(relative));
    }
    return files;
  }

  async remove(relative: string): Promise<void> {
    await rm(join(this.root, relative), { recursive: true, force: true });
    await rm(this.stampPath(relative), { force: true });
  }

  /** Where the timestamp.txt put with `relative` lies (it may not: submissions stored before it). */
  stampPath(relative: string): string {
    return join(this.root, `${relative}${STAMP_SUFFIX}`);
  }

  /**
   * Removes partial folders and complete ones no row records (`recorded`: relative paths);
   * returns what it removed, relative to the root.
   */
  async sweep(recorded: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    const list = async (relative: string) =>
      (await readdir(join(this.root, relative)).catch(() => [] as string[])).sort();
    const isFolder = async (relative: string) =>
      (await lstat(join(this.root, relative)).catch(() => undefined))?.isDirectory() ?? false;
    const visit = async (relative: string, depth: number): Promise<void> => {
      for (const name of await list(relative)) {
        const path = `${relative}/${name}`;
        if (name.startsWith('.') && name.includes('.partial-')) {
          await this.remove(path);
          removed.push(path);
        } else if (depth === 1) {
          if (!recorded.has(path) && (await isFolder(path))) {
            await this.remove(path);
            removed.push(path);
          } else if (name.endsWith(STAMP_SUFFIX) && !recorded.has(path.slice(0, -STAMP_SUFFIX.length))) {
            await rm(join(this.root, path), { force: true }); // a stamp whose folder never came
            removed.push(path);
          }
        } else if (await isFolder(path)) await visit(path, depth - 1);
      }
    };
    for (const course of await list(''))
      for (const [kind, depth] of Object.entries(LEAF_DEPTH))
        if (await isFolder(`${course}/${kind}`)) await visit(`${course}/${kind}`, depth);
    return removed.map((path) => path.replace(/^\//, ''));
  }
}
