// The `coursehub nbgrader generate_assignment` command, run as a real process on a course folder.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { caseDir, REPO_ROOT } from '../../support/conformance.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'coursehub-generate-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

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

function course(name: string, from: string): string {
  const dir = join(scratch, name);
  cpSync(join(caseDir('generate', from), 'source'), join(dir, 'source'), { recursive: true });
  cpSync(join(caseDir('generate', from), 'nbgrader_config.py'), join(dir, 'nbgrader_config.py'));
  return dir;
}

describe('coursehub nbgrader generate_assignment', { timeout: 180_000 }, () => {
  it('writes release/ASSIGNMENT like nbgrader, and leaves it alone without --force', async () => {
    const dir = course('docs', 'docs-ps1-header');
    const first = await coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('generated release/ps1/problem1.ipynb');
    const expected = join(caseDir('generate', 'docs-ps1-header'), 'expected', 'release', 'ps1');
    for (const file of ['problem1.ipynb', 'problem2.ipynb', 'jupyter.png'])
      expect(readFileSync(join(dir, 'release', 'ps1', file)).equals(readFileSync(join(expected, file)))).toBe(
        true,
      );

    writeFileSync(join(dir, 'release', 'ps1', 'marker'), 'kept');
    const second = await coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('use --force');
    expect(existsSync(join(dir, 'release', 'ps1', 'marker'))).toBe(true);

    const forced = await coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir, '--force');
    expect(forced.code).toBe(0);
    expect(existsSync(join(dir, 'release', 'ps1', 'marker'))).toBe(false);
  });

  it('fails with exit code 1, naming the notebook and the cell, and writes no release', async () => {
    const dir = course('nested', 'fail-solution-nested');
    const result = await coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir, '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /source\/ps1\/\S+\.ipynb, cell \d+ \('[^']+'\): encountered nested begin solution statements/,
    );
    expect(result.stderr).toContain('Close every BEGIN SOLUTION');
    expect(existsSync(join(dir, 'release', 'ps1'))).toBe(false);
  });

  it('reports config lines it ignores instead of running them', async () => {
    const dir = course('config', 'docs-ps1-noheader');
    writeFileSync(
      join(dir, 'nbgrader_config.py'),
      "c = get_config()\nimport os\nc.CourseDirectory.course_id = 'course101'\nc.Exchange.root = os.environ['HOME']\n",
    );
    const result = await coursehub('nbgrader', 'generate_assignment', 'ps1', '--course-dir', dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('nbgrader_config.py line 2: ignored');
    expect(result.stderr).toContain('nbgrader_config.py line 4: ignored');
  });

  it('refuses a missing assignment with a hint', async () => {
    const dir = course('missing', 'docs-ps1-noheader');
    const result = await coursehub('nbgrader', 'generate_assignment', 'ps9', '--course-dir', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('there is no assignment folder source/ps9');
  });

  it('has --help', async () => {
    const result = await coursehub('nbgrader', 'generate_assignment', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--course-dir <dir>');
    expect(result.stdout).toContain('--force');
  });
});
