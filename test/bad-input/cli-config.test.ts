// Bad configuration files given to the command line (issue 17, items 1 and 3): nbgrader_config.py
// (read, never run) and the hub's YAML/JSON --config. A file that cannot be read as written is
// refused naming the file and line; a misspelt key is a warning naming it and the likely meant key;
// nothing a file says reaches an object's prototype.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coursehub,
  newCourse,
  scratchDir,
  snapshotCourse,
  snapshotFiles,
  STACK_LINE,
} from './support/cli.js';

const nbgrader = (courseDir: string, ...args: string[]) =>
  coursehub(['nbgrader', ...args, '--course-dir', courseDir]);

function withConfig(text: string): string {
  const dir = newCourse();
  writeFileSync(join(dir, 'nbgrader_config.py'), text);
  return dir;
}

describe('nbgrader_config.py', { timeout: 120_000 }, () => {
  it("an unterminated string for course_id is an error naming file and line (was: course 'default', exit 0)", () => {
    const dir = withConfig("c = get_config()\nc.CourseDirectory.course_id = 'course101\n");
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'db', 'assignment', 'add', 'ps1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(/nbgrader_config\.py line 2/);
    expect(run.stderr).toMatch(/CourseDirectory\.course_id/);
    expect(run.stderr).toMatch(/unterminated string/);
    expect(snapshotCourse(dir)).toEqual(before);
    expect(before.gradebook).toBeNull();
  });

  it('a misspelt key or class is a warning naming file, line and the key meant (was: silently ignored)', () => {
    const dir = withConfig(
      "c = get_config()\nc.CourseDirectory.course_id = 'course101'\n" +
        "c.ClearSolutions.code_stubb = {'python': 'pass'}\n" +
        "c.ClearSolution.text_stub = 'x'\n" +
        'c.Exchange.root = "/srv/exchange"\n',
    );
    const run = nbgrader(dir, 'generate_assignment', 'ps1');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'nbgrader_config.py line 3: Config option `code_stubb` not recognized by `ClearSolutions`. Did you mean `code_stub`?',
    );
    expect(run.stderr).toMatch(
      /nbgrader_config\.py line 4: .*`ClearSolution`.*Did you mean `ClearSolutions`\?/,
    );
    // A real nbgrader setting coursehub does not use is said to be ignored, not called a typo.
    expect(run.stderr).toMatch(/nbgrader_config\.py line 5: .*Exchange\.root.*not used by coursehub/);
  });

  it('a code_stub with a "__proto__" key is refused and the release keeps the default stub (was: the stub changed)', () => {
    const dir = withConfig(
      "c = get_config()\nc.CourseDirectory.course_id = 'course101'\n" +
        'c.ClearSolutions.code_stub = {"__proto__": {"python": "# PWNED"}}\n',
    );
    const before = snapshotCourse(dir);
    const run = nbgrader(dir, 'generate_assignment', 'ps1');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(/ClearSolutions\.code_stub/);
    expect(run.stderr).toMatch(/nbgrader_config\.py line 3/);
    expect(snapshotCourse(dir)).toEqual(before);

    // A language really named "__proto__" is a plain key like any other.
    writeFileSync(
      join(dir, 'nbgrader_config.py'),
      "c = get_config()\nc.ClearSolutions.code_stub = {'__proto__': '# odd', 'python': '# mine'}\n",
    );
    const ok = nbgrader(dir, 'generate_assignment', 'ps1');
    expect(ok.code, ok.stderr).toBe(0);
    const release = readFileSync(join(dir, 'release/ps1/p1.ipynb'), 'utf8');
    expect(release).toContain('# mine');
    expect(release).not.toContain('PWNED');
  });
});

describe('the hub configuration file (--config)', { timeout: 60_000 }, () => {
  it('a YAML alias bomb is refused naming the file (was: "Excessive alias count" stack)', () => {
    const dir = scratchDir('config');
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, lines.join('\n') + '\n');
    const before = snapshotFiles(dir);
    const run = coursehub(['db', 'upgrade', '--config', file, '--data-dir', join(dir, 'data')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(/bomb\.yaml/);
    expect(run.stderr).toMatch(/alias/i);
    expect(snapshotFiles(dir)).toEqual(before);
  });

  it('a "__proto__" key in a JSON config does not become a default for its section', () => {
    const dir = scratchDir('config');
    const file = join(dir, 'proto.json');
    writeFileSync(file, JSON.stringify({ hub: { ['__proto__']: { port: 1 } } }));
    const run = coursehub(['db', 'upgrade', '--config', file, '--data-dir', join(dir, 'data')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.stderr).toMatch(/__proto__/);
  });
});
