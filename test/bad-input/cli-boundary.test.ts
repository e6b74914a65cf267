// The command line's one error boundary (issue 17, item 1): a refusal prints its message and hint;
// anything else is a bug, said in one line with where to report it, and its stack only under
// --debug; every failure exits non-zero. And no other place in src/ ends the process.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISSUE_TRACKER_URL } from '../../src/cli/bug-report.js';
import { REPO_ROOT, STACK_LINE } from './support/cli.js';

const FIXTURE = join(import.meta.dirname, 'support/failing-cli.ts');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the error boundary of the command line', { timeout: 60_000 }, () => {
  it('says a refusal in its words, with its hint, and exits 1', () => {
    const result = run('refused');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('coursehub: the value is wrong\nFix it.\n');
  });

  it('says a bug in one line naming where to report it; the stack only with --debug', () => {
    const quiet = run('bug');
    expect(quiet.code).toBe(70);
    expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(quiet.stderr).toMatch(/^coursehub: internal error \(a bug\): TypeError: .*field/);
    expect(quiet.stderr).toContain(ISSUE_TRACKER_URL);
    expect(quiet.stderr).toContain('--debug');
    expect(quiet.stderr).not.toMatch(STACK_LINE);

    const loud = run('--debug', 'bug');
    expect(loud.code).toBe(70);
    expect(loud.stderr).toMatch(STACK_LINE);
    expect(loud.stderr).toContain('failing-cli.ts');

    const thrownString = run('reject-string');
    expect(thrownString.code).toBe(70);
    expect(thrownString.stderr).toMatch(/internal error \(a bug\): a bare string/);
  });

  it('no code in src/ but the boundary (src/cli/main.ts) ends the process', () => {
    const offenders = sourceFiles(join(REPO_ROOT, 'src'))
      .filter((file) => !file.endsWith(join('src', 'cli', 'main.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${relative(REPO_ROOT, file)}:${index + 1}` }))
          .filter(({ line }) => /\bprocess\.exit\(/.test(line))
          .map(({ at }) => at),
      );
    expect(offenders).toEqual([]);
  });
});

describe('no error swallowed without a word (the layers of issue 17 item 1 owned by the command line)', () => {
  const LAYERS = ['cli', 'course', 'grading', 'gradebook', 'notebook', 'config', 'util'];
  it('every catch that says nothing has a comment saying why silence is right', () => {
    const silent: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sourceFiles(join(REPO_ROOT, 'src', layer))) {
        const lines = readFileSync(file, 'utf8').split('\n');
        lines.forEach((line, index) => {
          const swallows =
            /\.catch\(\(\) => (undefined|null|\{\}|\[\]|\[\] as [\w[\]]+)\)/.test(line) ||
            // `catch {` binds no error, so it cannot say it; `catch (e) {}` drops it.
            /\bcatch\s*\{/.test(line) ||
            /\bcatch\s*\(\w*\)\s*\{\s*\}/.test(line);
          if (!swallows) return;
          // The catch block's body (the next lines up to its end) or the line itself must explain.
          const context = [line, lines[index - 1] ?? '', lines[index + 1] ?? ''].join('\n');
          if (
            /\/\/|\/\*/.test(context) ||
            /\bthrow\b|\blog\(|\.warn\(|console\.|onSkip/.test(lines[index + 1] ?? '')
          )
            return;
          silent.push(`${relative(REPO_ROOT, file)}:${index + 1}: ${line.trim()}`);
        });
      }
    }
    expect(silent).toEqual([]);
  });
});
