/**
 * What the bad-input replays of the command line share: the real `coursehub` entry run as a child
 * process, a small course made with coursehub's own commands, and snapshots of a folder's files
 * and of the course gradebook's rows, so that a replay can show that a refused command changed
 * nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { afterAll } from 'vitest';
import { SOURCE_NOTEBOOK } from '../../gradebook/support/tiny-course.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');
/** tsx by its own path, so that the command runs from any working directory (a student's folder). */
export const TSX = pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;

/** --unsafe-no-sandbox where the test machine cannot run bubblewrap (COURSEHUB_TEST_SANDBOX=none). */
export const SANDBOX_FLAGS = process.env.COURSEHUB_TEST_SANDBOX === 'none' ? ['--unsafe-no-sandbox'] : [];

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** `coursehub ARGS` as a user runs it: a real process, its exit code and both streams. */
export function coursehub(args: string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** `coursehub ARGS` started in the background (for signals); `result` settles when it exits. */
export function startCoursehub(
  args: string[],
  options: CliOptions = {},
): { child: ChildProcess; output: () => string; result: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, output: () => stdout + stderr, result };
}

/** A stack trace, as Node prints one: what no refusal may show. */
export const STACK_LINE = /^\s+at .+[:(]/m;

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export function scratchDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `coursehub-bad-${label}-`));
  made.push(dir);
  return dir;
}

/** A course folder with nbgrader_config.py (course101) and source/ps1/p1.ipynb: the tiny course. */
export function newCourse(config = ''): string {
  const dir = scratchDir('course');
  mkdirSync(join(dir, 'source/ps1'), { recursive: true });
  writeFileSync(
    join(dir, 'nbgrader_config.py'),
    `c = get_config()\nc.CourseDirectory.course_id = 'course101'\n${config}`,
  );
  writeFileSync(join(dir, 'source/ps1/p1.ipynb'), JSON.stringify(SOURCE_NOTEBOOK, null, 1));
  return dir;
}

/**
 * Every entry under `dir` (hidden ones too): type, mode and a hash of the bytes. Links are not
 * followed; names are read as bytes (shown as latin1), so a name that is not UTF-8 is listed too.
 */
export function snapshotFiles(dir: string, options: { skip?: RegExp } = {}): Record<string, string> {
  const found: Record<string, string> = {};
  if (!existsSync(dir)) return found;
  const walk = (current: Buffer, prefix: string) => {
    for (const name of readdirSync(current, { encoding: 'buffer' }).sort(Buffer.compare)) {
      const path = Buffer.concat([current, Buffer.from('/'), name]);
      const key = prefix + name.toString('latin1');
      if (options.skip?.test(key)) continue;
      const info = lstatSync(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isDirectory()) {
        found[key + '/'] = `dir ${mode}`;
        walk(path, key + '/');
      } else if (info.isFile()) {
        found[key] = `file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      } else found[key] = `other ${info.isSymbolicLink() ? 'link' : 'special'}`;
    }
  };
  walk(Buffer.from(dir), '');
  return found;
}

/** The gradebook's own files are compared by their rows (snapshotGradebook), not their bytes. */
export const GRADEBOOK_FILES = /^coursehub-gradebook\.sqlite/;

/** Every row of every table of COURSE/coursehub-gradebook.sqlite; null when there is no gradebook. */
export function snapshotGradebook(courseDir: string): Record<string, unknown[]> | null {
  const file = join(courseDir, 'coursehub-gradebook.sqlite');
  if (!existsSync(file)) return null;
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as Array<{ name: string }>;
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]),
    );
  } finally {
    db.close();
  }
}

/** Files and gradebook rows of a course together, for "nothing changed" assertions. */
export function snapshotCourse(courseDir: string) {
  return {
    files: snapshotFiles(courseDir, { skip: GRADEBOOK_FILES }),
    gradebook: snapshotGradebook(courseDir),
  };
}
