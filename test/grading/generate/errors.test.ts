// Each way generate refuses input, with the message the instructor sees: which notebook, which
// cell, what is wrong, and (in the hint) what to do.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CellMetadataError,
  GenerateError,
  GradebookCellError,
  InvalidNotebookError,
  RegionError,
  UnknownLanguageError,
  UnsupportedFeatureError,
  generateNotebook,
} from '../../../src/grading/generate/index.js';
import { generateAssignment } from '../../../src/course/index.js';
import { nbgraderSettings, readNbgraderConfig } from '../../../src/grading/nbgrader-config.js';
import { writeNotebook, type Cell, type Notebook } from '../../../src/notebook/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'coursehub-generate-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const meta = (extra: Record<string, unknown>) => ({
  nbgrader: { schema_version: 3, grade: false, solution: false, locked: false, ...extra },
});
const code = (source: string, metadata: object = {}): Cell =>
  ({ cell_type: 'code', source, metadata, outputs: [], execution_count: null }) as Cell;
const notebookOf = (cells: Cell[], language = 'python'): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'k', display_name: 'K', language } },
  cells,
});

async function refusal(nb: Notebook, config = ''): Promise<GenerateError> {
  const settings = nbgraderSettings(readNbgraderConfig(config));
  try {
    await generateNotebook(nb, { notebookId: 'hw', notebookLabel: 'source/ps1/hw.ipynb', settings });
  } catch (error) {
    if (error instanceof GenerateError) return error;
    throw error;
  }
  throw new Error('generate accepted the notebook');
}

const solution = meta({ solution: true, grade_id: 'answer' });
const tests = meta({ grade: true, grade_id: 'tests', points: 1 });
const task = meta({ task: true, grade_id: 'task', points: 1 });

describe('generate refuses bad notebooks with a message naming notebook and cell', () => {
  const cases: [string, Notebook, string, typeof GenerateError, RegExp, RegExp][] = [
    [
      'nested solution',
      notebookOf([code('x', {}), code('### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION', solution)]),
      '',
      RegionError,
      /^source\/ps1\/hw\.ipynb, cell 2 \('answer'\): encountered nested begin solution statements$/,
      /Close every BEGIN SOLUTION/,
    ],
    [
      'unterminated solution with custom delimiters',
      notebookOf([code('<<<SOL\nx = 1', solution)]),
      "c.ClearSolutions.begin_solution_delimeter = '<<<SOL'\nc.ClearSolutions.end_solution_delimeter = 'SOL>>>'",
      RegionError,
      /cell 1 \('answer'\): no end solution statement found/,
      /Close every <<<SOL with one SOL>>>/,
    ],
    [
      'solution region in a test cell',
      notebookOf([code('### BEGIN SOLUTION\nx\n### END SOLUTION', tests)]),
      '',
      RegionError,
      /cell 1 \('tests'\): Solution region detected in a non-solution cell/,
      /Mark the cell as a solution/,
    ],
    [
      'hidden tests outside a test cell',
      notebookOf([code('### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS')]),
      '',
      RegionError,
      /cell 1: Hidden test region detected in a non-grade cell/,
      /Autograder tests/,
    ],
    [
      'unterminated hidden tests',
      notebookOf([code('### BEGIN HIDDEN TESTS\nassert x', tests)]),
      '',
      RegionError,
      /No end hidden tests statement found/,
      /END HIDDEN TESTS/,
    ],
    [
      'mark scheme with an attachment',
      notebookOf([
        {
          cell_type: 'markdown',
          source: '### BEGIN MARK SCHEME\n![x](attachment:a.png)\n### END MARK SCHEME',
          metadata: task,
        } as Cell,
      ]),
      '',
      RegionError,
      /cell 1 \('task'\): Encountered an attachment in a marking scheme/,
      /check_attachment_leakage = False/,
    ],
    [
      'unknown kernel language',
      notebookOf([code('x')], 'julia'),
      '',
      UnknownLanguageError,
      /^source\/ps1\/hw\.ipynb: language 'julia' has not been specified in ClearSolutions\.code_stub$/,
      /c\.ClearSolutions\.code_stub = \{'julia'/,
    ],
    [
      'invalid metadata',
      notebookOf([code('x', meta({ grade: true, grade_id: 'bad id', points: 1 }))]),
      '',
      CellMetadataError,
      /cell 1 \('bad id'\): 'bad id' does not match/,
      /Create Assignment/,
    ],
    [
      'code cell without outputs',
      notebookOf([{ cell_type: 'code', source: 'x', metadata: {} } as unknown as Cell]),
      '',
      InvalidNotebookError,
      /cell 1: a code cell needs "outputs" and "execution_count"/,
      /save it again/,
    ],
    [
      'read-only raw cell',
      notebookOf([
        { cell_type: 'raw', source: 'x', metadata: meta({ locked: true, grade_id: 'ro' }) } as Cell,
      ]),
      '',
      GradebookCellError,
      /cell 1 \('ro'\): 'raw' is not a cell type the gradebook can store/,
      /Make the cell markdown or code/,
    ],
    [
      'AUTOTEST directive',
      notebookOf([code('### AUTOTEST f(1)', tests)]),
      '',
      GenerateError,
      /No autotests\.yml file found/,
      /autotests\.yml/,
    ],
  ];

  it.each(cases)('%s', async (_label, nb, config, errorClass, message, hint) => {
    const error = await refusal(nb, config);
    expect(error).toBeInstanceOf(errorClass);
    expect(error.message).toMatch(message);
    expect(error.hint ?? '').toMatch(hint);
  });

  it('AUTOTEST with an autotests.yml is refused as not supported yet', async () => {
    const settings = nbgraderSettings();
    await expect(
      generateNotebook(notebookOf([code('### AUTOTEST f(1)', tests)]), {
        notebookId: 'hw',
        notebookLabel: 'hw.ipynb',
        settings,
        autotestsYamlFound: true,
      }),
    ).rejects.toThrow(UnsupportedFeatureError);
  });
});

describe('generateAssignment refuses bad course folders', () => {
  function courseWith(files: Record<string, string>): string {
    const dir = mkdtempSync(join(scratch, 'course-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const good = writeNotebook(notebookOf([code('x = 1')]));

  it('an assignment name that is a path', async () => {
    const dir = courseWith({ 'source/ps1/a.ipynb': good });
    await expect(generateAssignment({ courseDir: dir, assignment: '../ps1' })).rejects.toThrow(
      "'../ps1' is not a valid assignment name",
    );
  });

  it('an assignment folder without notebooks', async () => {
    const dir = courseWith({ 'source/ps1/data.txt': 'x' });
    await expect(generateAssignment({ courseDir: dir, assignment: 'ps1' })).rejects.toThrow(
      'no notebooks were found in source/ps1',
    );
  });

  it('a header notebook that does not exist', async () => {
    const dir = courseWith({
      'source/ps1/a.ipynb': good,
      'nbgrader_config.py': "c.IncludeHeaderFooter.header = 'source/header.ipynb'\n",
    });
    await expect(generateAssignment({ courseDir: dir, assignment: 'ps1' })).rejects.toThrow(
      'the header notebook source/header.ipynb does not exist',
    );
    expect(existsSync(join(dir, 'release', 'ps1'))).toBe(false);
  });

  it('a notebook that is not JSON, named by its path; nothing released', async () => {
    const dir = courseWith({ 'source/ps1/a.ipynb': good, 'source/ps1/b.ipynb': '{"cells": [' });
    await expect(generateAssignment({ courseDir: dir, assignment: 'ps1' })).rejects.toThrow(
      'source/ps1/b.ipynb: is not valid JSON',
    );
    expect(existsSync(join(dir, 'release', 'ps1'))).toBe(false);
  });
});
