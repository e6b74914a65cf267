/**
 * The two ways nbgrader decides that a file is left out, both on the file's own name and both
 * built on Python's fnmatch (./fnmatch.ts):
 *
 * - generate and autograde (nbgrader's `find_all_files` / `is_ignored`, and the `*.ipynb` globs
 *   that find notebooks) go through `glob.glob`, which adds one rule to fnmatch: a name starting
 *   with `.` matches only a pattern starting with `.` (so `*.pyc` does not take `.cache.pyc`).
 *   nbgrader hands glob the whole path, so a course path containing glob characters breaks its
 *   ignore list; that accident is not copied: the name is matched, as is_ignored's docstring says.
 * - the exchange (nbgrader's `ignore_patterns` for `shutil.copytree`) uses fnmatch as it is, for
 *   CourseDirectory.ignore (files and folders), then CourseDirectory.include and max_file_size
 *   (files only).
 */
import { fnmatch } from './fnmatch.js';

/** glob.glob's rule for one name of a folder listing. */
export function globMatches(name: string, pattern: string): boolean {
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  return fnmatch(name, pattern);
}

/** nbgrader's `is_ignored`: does any of the globs take this name? */
export function isIgnoredName(name: string, globs: readonly string[]): boolean {
  return globs.some((pattern) => globMatches(name, pattern));
}

/** CourseDirectory.ignore / include / max_file_size, as the exchange applies them. */
export interface CopyRules {
  ignore: readonly string[];
  include: readonly string[];
  /** Kilobytes of 1000 bytes; 0: no limit. */
  maxFileSize: number;
}

export type CopyExclusion = 'ignored' | 'not-included' | 'too-large';

/**
 * Why nbgrader's `ignore_patterns` leaves this entry out of a copy, or null to copy it. `file` is
 * its size when it is a regular file, null for a folder.
 */
export function copyExclusion(
  name: string,
  file: { size: number } | null,
  rules: CopyRules,
): CopyExclusion | null {
  if (rules.ignore.some((pattern) => fnmatch(name, pattern))) return 'ignored';
  if (file === null) return null;
  if (rules.include.length > 0 && !rules.include.some((pattern) => fnmatch(name, pattern)))
    return 'not-included';
  if (rules.maxFileSize && file.size > 1000 * rules.maxFileSize) return 'too-large';
  return null;
}
