// Every generate case of the nbgrader conformance suite: release notebooks byte-identical to
// nbgrader 0.9.5's, the same data files and modes, the same gradebook records, and failures in
// the same situations (no release folder left behind).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAssignment } from '../../src/course/index.js';
import { GenerateError } from '../../src/grading/generate/index.js';
import { createKernelLauncher } from '../../src/kernel/index.js';
import {
  caseDir,
  caseFileExists,
  listCases,
  listFilesRecursive,
  readCase,
  readCaseJson,
  readCaseText,
} from '../support/conformance.js';

const cases = listCases('generate');
const scratchRoot = mkdtempSync(join(tmpdir(), 'coursehub-generate-conformance-'));
afterAll(() => rmSync(scratchRoot, { recursive: true, force: true }));

/** Cases whose AUTOTEST directives are expanded in a real (sandboxed) kernel, as nbgrader does. */
const AUTOTEST_EXPANSION = new Set([
  'apps-autotest-hashed',
  'apps-autotest-hidden',
  'apps-autotest-multi',
  'apps-autotest-simple',
  'apps-autotest-simple-source-with-tests',
]);
const sandbox = (process.env.COURSEHUB_TEST_SANDBOX ?? 'bwrap') as 'bwrap' | 'none';
const launcher = createKernelLauncher({ sandbox, log: { warn: () => undefined } });

/**
 * Where nbgrader's failure text is a Python internal (an SQL enum error, a re-raised exception
 * class) our message says the same thing in user terms; these are the words that must appear.
 */
const OUR_WORDS_FOR_PYTHON_INTERNALS: Record<string, string> = {
  'fail-raw-readonly-cell': "'raw' is not a cell type the gradebook can store",
  'fail-schema-v0': 'Outdated schema version: 0',
  'fail-schema-v2': 'Outdated schema version: 2',
  'fail-schema-too-new': 'Schema version is too new: 10',
  'pp-cell-type-changed':
    'a code cell needs "outputs" and "execution_count" fields; the notebook is not valid nbformat 4',
};

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Copies the case's course inputs (not expected/) to a scratch course directory. */
function prepareCourse(name: string): string {
  const course = join(scratchRoot, name);
  cpSync(caseDir('generate', name), course, {
    recursive: true,
    filter: (src) => !src.startsWith(join(caseDir('generate', name), 'expected')),
  });
  return course;
}

describe('conformance: generate_assignment', { timeout: 300_000 }, () => {
  it('finds the suite', () => expect(cases.length).toBe(57));

  it.each(cases)('%s', async (name) => {
    const spec = readCase('generate', name);
    const argv = spec.steps[0]!.argv;
    const course = prepareCourse(name);
    const run = () =>
      generateAssignment({
        courseDir: course,
        assignment: 'ps1',
        force: argv.includes('--force'),
        checkMetadata: !argv.includes('--no-metadata'),
        saveCells: !argv.includes('--no-db'),
        sourceWithTests: argv.includes('--source_with_tests'),
        ...(AUTOTEST_EXPANSION.has(name) ? { launcher } : {}),
      });
    const releaseDir = join(course, 'release', 'ps1');

    if (spec.expected.exit_code !== 0) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, 'generate must fail').toBeInstanceOf(GenerateError);
      const failure = error as GenerateError;
      expect(existsSync(releaseDir), 'no release folder after a failure').toBe(false);
      const nbgraderText = normalise(
        [readCaseText('generate', name, 'expected/error.txt'), ...(spec.expected.error_messages ?? [])].join(
          '\n',
        ),
      );
      const ourWords = OUR_WORDS_FOR_PYTHON_INTERNALS[name];
      if (ourWords) expect(failure.detail).toContain(ourWords);
      else expect(nbgraderText).toContain(normalise(failure.detail));
      // Our message says which notebook (every failing case has notebooks in source/ps1).
      if (!name.startsWith('fail-autotest-needs-yaml'))
        expect(failure.message).toMatch(/source\/ps1\/[^ ]+\.ipynb/);
      return;
    }

    const result = await run();
    expect(result.skipped).toBe(false);
    const expectedDir = join(caseDir('generate', name), 'expected', 'release', 'ps1');
    const expectedFiles = listFilesRecursive(expectedDir);
    expect(listFilesRecursive(releaseDir)).toEqual(expectedFiles);
    for (const file of expectedFiles) {
      // Byte-for-byte, notebooks included.
      expect(readFileSync(join(releaseDir, file)).equals(readFileSync(join(expectedDir, file))), file).toBe(
        true,
      );
      const modes = spec.expected.release_file_modes as Record<string, string>;
      if (modes[file])
        expect('0o' + (statSync(join(releaseDir, file)).mode & 0o777).toString(8)).toBe(modes[file]);
    }

    const withTestsExpected = join(caseDir('generate', name), 'expected', 'source_with_tests', 'ps1');
    const withTestsDir = join(course, 'source_with_tests', 'ps1');
    expect(existsSync(withTestsDir)).toBe(spec.expected.source_with_tests_dir_exists);
    for (const file of listFilesRecursive(withTestsExpected))
      expect(
        readFileSync(join(withTestsDir, file)).equals(readFileSync(join(withTestsExpected, file))),
        file,
      ).toBe(true);

    if (caseFileExists('generate', name, 'expected/gradebook.json') && spec.expected.gradebook_written) {
      const gradebook = readCaseJson<
        { notebooks: Record<string, Record<string, unknown>> } & Record<string, unknown>
      >('generate', name, 'expected/gradebook.json');
      const record = result.record!;
      expect(record.max_score).toBe(gradebook.max_score);
      expect(record.max_code_score).toBe(gradebook.max_code_score);
      expect(record.max_written_score).toBe(gradebook.max_written_score);
      expect(record.max_task_score).toBe(gradebook.max_task_score);
      expect(Object.keys(record.notebooks).sort()).toEqual(Object.keys(gradebook.notebooks).sort());
      for (const [id, want] of Object.entries(gradebook.notebooks)) {
        const got = record.notebooks[id]!;
        expect(got.grade_cells, id).toEqual(want.grade_cells);
        expect(got.task_cells, id).toEqual(want.task_cells);
        expect([...got.solution_cells].sort(), id).toEqual([...(want.solution_cells as string[])].sort());
        expect(got.source_cells, id).toEqual(want.source_cells);
        expect(got.kernelspec, id).toEqual(want.kernelspec);
        for (const key of ['max_score', 'max_code_score', 'max_written_score', 'max_task_score'] as const)
          expect(got[key], `${id} ${key}`).toBe(want[key]);
      }
    } else {
      expect(result.record).toBeUndefined();
    }
  });
});

// The autograde cases were generated in the same nbgrader run: their release/ and
// gradebook_source.json check generate once more, on other notebooks and configs.
const autogradeCases = listCases('autograde');

describe('conformance: generate_assignment on the autograde cases', { timeout: 300_000 }, () => {
  it.each(autogradeCases)('%s', async (name) => {
    const course = join(scratchRoot, `autograde-${name}`);
    const from = caseDir('autograde', name);
    cpSync(join(from, 'source'), join(course, 'source'), { recursive: true });
    cpSync(join(from, 'nbgrader_config.py'), join(course, 'nbgrader_config.py'));
    if (existsSync(join(from, 'autotests.yml')))
      cpSync(join(from, 'autotests.yml'), join(course, 'autotests.yml'));
    const result = await generateAssignment({ courseDir: course, assignment: 'ps1', force: true, launcher });
    const expectedDir = join(from, 'release', 'ps1');
    const releaseDir = join(course, 'release', 'ps1');
    const expectedFiles = listFilesRecursive(expectedDir);
    expect(listFilesRecursive(releaseDir)).toEqual(expectedFiles);
    for (const file of expectedFiles)
      expect(readFileSync(join(releaseDir, file)).equals(readFileSync(join(expectedDir, file))), file).toBe(
        true,
      );

    const stored = readCaseJson<
      { notebooks: Record<string, Record<string, unknown>> } & Record<string, unknown>
    >('autograde', name, 'expected/gradebook_source.json');
    const record = result.record!;
    for (const key of ['max_score', 'max_code_score', 'max_written_score', 'max_task_score'] as const)
      expect(record[key], key).toBe(stored[key]);
    expect(Object.keys(record.notebooks).sort()).toEqual(Object.keys(stored.notebooks).sort());
    for (const [id, want] of Object.entries(stored.notebooks)) {
      const got = record.notebooks[id]!;
      expect(got.grade_cells, id).toEqual(want.grade_cells);
      expect(got.task_cells, id).toEqual(want.task_cells);
      expect([...got.solution_cells].sort(), id).toEqual([...(want.solution_cells as string[])].sort());
      expect(got.source_cells, id).toEqual(want.source_cells);
      expect(got.kernelspec, id).toEqual(want.kernelspec);
    }
  });
});

// Sources as nbgrader's Create Assignment toolbar marks them (every key it writes, tests locked)
// and the release the real nbgrader 0.9.5 generated from them (test/fixtures/nbgrader-editor/).
// The editor's e2e test needs root and a browser; this checks the generate half everywhere.
const toolbarMarked = join(import.meta.dirname, '../fixtures/nbgrader-editor');

describe('conformance: generate_assignment on toolbar-marked sources', { timeout: 300_000 }, () => {
  it.each(['docs-ps1-noheader', 'suite-features'])('%s', async (name) => {
    const course = join(scratchRoot, `toolbar-${name}`);
    const from = join(toolbarMarked, name);
    cpSync(join(from, 'source'), join(course, 'source'), { recursive: true });
    cpSync(join(from, 'nbgrader_config.py'), join(course, 'nbgrader_config.py'));
    await generateAssignment({ courseDir: course, assignment: 'ps1', force: true });
    const expectedDir = join(from, 'release', 'ps1');
    const releaseDir = join(course, 'release', 'ps1');
    const expectedFiles = listFilesRecursive(expectedDir);
    expect(listFilesRecursive(releaseDir)).toEqual(expectedFiles);
    // Notebooks as text (a difference shows as a diff), data files as bytes.
    const read = (dir: string, file: string) =>
      file.endsWith('.ipynb') ? readFileSync(join(dir, file), 'utf8') : readFileSync(join(dir, file));
    for (const file of expectedFiles)
      expect([file, read(releaseDir, file)]).toEqual([file, read(expectedDir, file)]);
  });
});
