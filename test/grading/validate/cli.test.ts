// `coursehub nbgrader validate`, run as a real process with a real sandboxed kernel.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { caseDir, REPO_ROOT } from '../../support/conformance.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'coursehub-validate-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const sandboxFlags = process.env.COURSEHUB_TEST_SANDBOX === 'none' ? ['--unsafe-no-sandbox'] : [];

async function coursehub(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: REPO_ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('coursehub nbgrader validate', { timeout: 300_000 }, () => {
  it('prints the report; exits 0 even when the notebook fails, as nbgrader does', async () => {
    const dir = join(scratch, 'unchanged');
    cpSync(caseDir('validate', 'submitted-unchanged'), dir, { recursive: true });
    const failing = await coursehub(
      'nbgrader',
      'validate',
      join(dir, 'submitted-unchanged.ipynb'),
      ...sandboxFlags,
    );
    expect(failing.code).toBe(0);
    expect(failing.stdout.split('\n')[0]).toBe(
      'VALIDATION FAILED ON 3 CELL(S)! If you submit your assignment as it is, you WILL NOT',
    );
    const inverted = await coursehub(
      'nbgrader',
      'validate',
      join(dir, 'submitted-unchanged.ipynb'),
      '--invert',
      ...sandboxFlags,
    );
    expect(inverted.stdout.split('\n')[0]).toBe('NOTEBOOK PASSED ON 1 CELL(S)!');
  });

  it('accepts nbgrader-style settings such as --Validator.ignore_checksums=True', async () => {
    const dir = join(scratch, 'changed');
    cpSync(caseDir('validate', 'submitted-grade-cell-changed'), dir, { recursive: true });
    const notebook = join(dir, 'submitted-grade-cell-changed.ipynb');
    const strict = await coursehub('nbgrader', 'validate', notebook, ...sandboxFlags);
    expect(strict.stdout).toMatch(/^THE CONTENTS OF 1 TEST CELL\(S\) HAVE CHANGED!/);
    const lenient = await coursehub(
      'nbgrader',
      'validate',
      notebook,
      '--Validator.ignore_checksums=True',
      ...sandboxFlags,
    );
    expect(lenient.stdout).toBe('Success! Your notebook passes all the tests.\n');
  });

  it('exits 1 with a clear message for a file that is not a notebook', async () => {
    const file = join(scratch, 'broken.ipynb');
    writeFileSync(file, '{"cells": [');
    const result = await coursehub('nbgrader', 'validate', file, ...sandboxFlags);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('broken.ipynb: is not valid JSON');
  });
});
