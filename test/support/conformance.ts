/**
 * Access to the nbgrader conformance suite (cases produced by the real nbgrader 0.9.5), shared by
 * every conformance test. The suite is kept in the repository, with nbgrader's licence beside it,
 * at `test/fixtures/nbgrader-conformance/`; its README.md says what each file means.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const CONFORMANCE_ROOT = resolve(REPO_ROOT, 'test', 'fixtures', 'nbgrader-conformance');

export type CaseKind = 'metadata' | 'generate' | 'autograde' | 'feedback' | 'validate';

export interface CaseStep {
  argv: string[];
  cwd?: string;
  expected_exit_code: number;
}

/** `case.json` of generate / autograde / feedback / validate cases (fields used so far; more exist). */
export interface CaseJson {
  name: string;
  kind: CaseKind;
  checks?: string;
  assignment?: string;
  config: Record<string, unknown>;
  course_files?: Record<string, string>;
  inputs?: Record<string, string>;
  steps: CaseStep[];
  expected: Record<string, unknown> & { exit_code?: number; error_messages?: string[] };
  [key: string]: unknown;
}

/** The folder of one case. */
export function caseDir(kind: CaseKind, name: string): string {
  return join(CONFORMANCE_ROOT, kind, name);
}

/**
 * Names of every case of a kind, sorted. A missing folder is an error, not an empty list: a suite
 * that found no cases must fail, never pass by checking nothing.
 */
export function listCases(kind: CaseKind): string[] {
  const dir = join(CONFORMANCE_ROOT, kind);
  if (!existsSync(dir)) throw new Error(`The conformance cases are missing: ${dir} does not exist.`);
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

/** A case's `case.json` (generate, autograde, feedback, validate). */
export function readCase(kind: CaseKind, name: string): CaseJson {
  return JSON.parse(readFileSync(join(caseDir(kind, name), 'case.json'), 'utf8')) as CaseJson;
}

/** A file of a case as text, relative to the case folder (e.g. 'expected/error.txt'). */
export function readCaseText(kind: CaseKind, name: string, path: string): string {
  return readFileSync(join(caseDir(kind, name), path), 'utf8');
}

/** A JSON file of a case, parsed with JSON.parse (numbers lose int/float; use for value comparisons). */
export function readCaseJson<T = unknown>(kind: CaseKind, name: string, path: string): T {
  return JSON.parse(readCaseText(kind, name, path)) as T;
}

export function caseFileExists(kind: CaseKind, name: string, path: string): boolean {
  return existsSync(join(caseDir(kind, name), path));
}

/** Every file under `dir`, as sorted POSIX paths relative to it. [] when it does not exist. */
export function listFilesRecursive(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/** The metadata case's notebook file name (each metadata case holds one notebook). */
export function metadataCaseNotebook(name: string): string {
  const notebook = readdirSync(caseDir('metadata', name)).find((file) => file.endsWith('.ipynb'));
  if (notebook === undefined) throw new Error(`metadata case ${name} has no notebook`);
  return notebook;
}
