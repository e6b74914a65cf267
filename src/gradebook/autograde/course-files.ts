/**
 * Files of an nbgrader course directory: `source/ASSIGNMENT`, `submitted/STUDENT/ASSIGNMENT`,
 * `autograded/STUDENT/ASSIGNMENT`, and nbgrader's `find_all_files` with CourseDirectory.ignore.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface CourseLayout {
  root: string;
  source: (assignment: string) => string;
  submitted: (student: string, assignment: string) => string;
  autograded: (student: string, assignment: string) => string;
}

export function courseLayout(root: string): CourseLayout {
  return {
    root,
    source: (assignment) => join(root, 'source', assignment),
    submitted: (student, assignment) => join(root, 'submitted', student, assignment),
    autograded: (student, assignment) => join(root, 'autograded', student, assignment),
  };
}

/** fnmatch: `*`, `?` and `[...]` against a file's base name, as nbgrader matches its ignore list. */
function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else if (char === '[' || char === ']') pattern += char;
    else pattern += char.replace(/[.*+?^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 's');
}

export function ignoreMatcher(globs: string[]): (name: string) => boolean {
  const patterns = globs.map(globToRegExp);
  return (name) => patterns.some((p) => p.test(name));
}

/**
 * Every regular file under `dir` (relative paths, sorted), skipping ignored names at any depth.
 * Symbolic links are skipped: a student's link to /etc/shadow must never be followed by the grader.
 */
export async function findFiles(dir: string, ignored: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (ignored(entry.name)) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push(relative(dir, path));
    }
  }
  await walk(dir);
  return found.sort();
}

/** Student ids with a submission of `assignment`, sorted as nbgrader processes them. */
export async function submittedStudents(layout: CourseLayout, assignment: string): Promise<string[]> {
  let students: string[];
  try {
    students = await readdir(join(layout.root, 'submitted'));
  } catch {
    return [];
  }
  const result: string[] = [];
  for (const student of students.sort()) {
    const info = await lstat(layout.submitted(student, assignment)).catch(() => null);
    if (info?.isDirectory()) result.push(student);
  }
  return result;
}

/** The text of timestamp.txt, or null when there is none. */
export async function readTimestampFile(dir: string): Promise<string | null> {
  try {
    return await readFile(join(dir, 'timestamp.txt'), 'utf8');
  } catch {
    return null;
  }
}
