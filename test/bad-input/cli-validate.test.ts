// `coursehub nbgrader validate` given what students give it (issue 17, items 1 and 2): a notebook
// nested too deeply, no time limit and a notebook that never ends (Ctrl-C, SIGTERM and kill -9
// must leave no scratch folder in $TMPDIR), and a folder holding a file whose name is not UTF-8.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_NOTEBOOK } from '../gradebook/support/tiny-course.js';
import {
  coursehub,
  SANDBOX_FLAGS,
  scratchDir,
  snapshotFiles,
  STACK_LINE,
  startCoursehub,
} from './support/cli.js';

/**
 * A student's folder with p1.ipynb whose answer cell is `answer`, and a private $TMPDIR beside it
 * (or inside it, as when a student's home is both).
 */
function studentFolder(answer: string, options: { tmpInside?: boolean } = {}) {
  const dir = scratchDir('validate');
  const tmp = options.tmpInside ? join(dir, 'tmp') : scratchDir('tmp');
  if (options.tmpInside) mkdirSync(tmp);
  const notebook = structuredClone(SOURCE_NOTEBOOK);
  notebook.cells[1]!.source = answer;
  writeFileSync(join(dir, 'p1.ipynb'), JSON.stringify(notebook, null, 1));
  return { dir, tmp, notebook: join(dir, 'p1.ipynb') };
}

const scratchFolders = (tmp: string) =>
  readdirSync(tmp).filter((name) => name.startsWith('coursehub-validate-'));

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('nbgrader validate', { timeout: 300_000 }, () => {
  it('a notebook nested too deeply is refused naming it (was: RangeError stack)', () => {
    const { dir, notebook } = studentFolder('a = 1');
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const text = JSON.stringify(SOURCE_NOTEBOOK).replace(
      '"metadata":{"kernelspec"',
      `"metadata":{"deep":${deep},"kernelspec"`,
    );
    writeFileSync(notebook, text);
    const before = snapshotFiles(dir);
    const run = coursehub(['nbgrader', 'validate', notebook, ...SANDBOX_FLAGS], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).not.toMatch(/RangeError|call stack/);
    expect(run.stderr).toMatch(/p1\.ipynb/);
    expect(run.stderr).toMatch(/nested too deeply/);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  for (const [timeout, signal, exitCode] of [
    ['-1', 'SIGINT', 130],
    ['0', 'SIGTERM', 143],
  ] as const) {
    it(`--timeout ${timeout} means no limit, and ${signal} ends a notebook that never ends cleanly (was: scratch folder left)`, async () => {
      const { dir, tmp, notebook } = studentFolder('while True:\n    pass');
      const running = startCoursehub(
        ['nbgrader', 'validate', notebook, '--timeout', timeout, ...SANDBOX_FLAGS],
        { cwd: dir, env: { TMPDIR: tmp } },
      );
      await waitFor(() => scratchFolders(tmp).length > 0, 'the scratch folder');
      // Past any per-cell limit a "0" could have meant: the cell is still running.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(running.child.exitCode).toBeNull();
      running.child.kill(signal);
      const result = await running.result;
      expect(result.code, result.stderr).toBe(exitCode);
      expect(result.stderr).not.toMatch(STACK_LINE);
      expect(result.stderr).toMatch(/interrupted/i);
      expect(scratchFolders(tmp)).toEqual([]);
    });
  }

  it('the scratch folder of a validate killed with SIGKILL is removed by the next run (was: left for ever)', async () => {
    const { dir, tmp, notebook } = studentFolder('while True:\n    pass');
    const running = startCoursehub(['nbgrader', 'validate', notebook, '--timeout', '-1', ...SANDBOX_FLAGS], {
      cwd: dir,
      env: { TMPDIR: tmp },
    });
    await waitFor(() => scratchFolders(tmp).length > 0, 'the scratch folder');
    running.child.kill('SIGKILL');
    await running.result;
    expect(scratchFolders(tmp)).toHaveLength(1);
    const { notebook: quick } = studentFolder('a = 1');
    const next = coursehub(['nbgrader', 'validate', quick, ...SANDBOX_FLAGS], { env: { TMPDIR: tmp } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toBe('Success! Your notebook passes all the tests.\n');
    expect(scratchFolders(tmp)).toEqual([]);
  });

  it('a sibling file whose name is not UTF-8 does not break it; it is named as left out (was: ENOENT stack)', () => {
    // $TMPDIR inside the folder too: the scratch copy must not copy itself.
    const { dir, tmp, notebook } = studentFolder("a = len(open('data.txt').read())", { tmpInside: true });
    writeFileSync(join(dir, 'data.txt'), 'x');
    writeFileSync(Buffer.from(join(dir, 'caf\xe9.txt'), 'latin1'), 'unrelated');
    const before = snapshotFiles(dir, { skip: /^tmp\// });
    const run = coursehub(['nbgrader', 'validate', notebook, ...SANDBOX_FLAGS], {
      cwd: dir,
      env: { TMPDIR: tmp },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('Success! Your notebook passes all the tests.\n');
    expect(run.stderr).toContain('caf\\xe9.txt was not copied for the run: its name is not UTF-8');
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(scratchFolders(tmp)).toEqual([]);
    expect(snapshotFiles(dir, { skip: /^tmp\// })).toEqual(before);
  });
});
