// Reading nbgrader_config.py without running it: literal assignments become typed settings,
// everything else is reported with its line number.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyConfigOverride,
  NbgraderConfigError,
  nbgraderSettings,
  readNbgraderConfig,
} from '../../../src/grading/nbgrader-config.js';
import { CONFORMANCE_ROOT, listFilesRecursive } from '../../support/conformance.js';

describe('readNbgraderConfig', () => {
  it('reads every literal assignment of the conformance suite exactly as case.json records it', () => {
    const configs = listFilesRecursive(CONFORMANCE_ROOT).filter((p) => p.endsWith('/nbgrader_config.py'));
    expect(configs.length).toBeGreaterThan(100);
    for (const path of configs) {
      const caseJson = JSON.parse(readFileSync(join(CONFORMANCE_ROOT, path, '..', 'case.json'), 'utf8')) as {
        config: Record<string, unknown>;
      };
      const config = readNbgraderConfig(readFileSync(join(CONFORMANCE_ROOT, path), 'utf8'));
      expect(config.problems, path).toEqual([]);
      expect(Object.fromEntries([...config.assignments].map(([k, v]) => [k, v.value])), path).toEqual(
        caseJson.config,
      );
    }
  });

  it('reads Python literal syntax: quotes, escapes, raw and triple-quoted strings, numbers, containers', () => {
    const config = readNbgraderConfig(
      [
        'c = get_config()  # noqa',
        '# a comment',
        "c.A.single = 'it\\'s'",
        'c.A.double = "tab\\there\\n"',
        "c.A.raw = r'\\d+'",
        'c.A.triple = """line1',
        'line2"""',
        'c.A.concat = ("a"',
        '             "b")',
        'c.A.numbers = [1, -2.5, 0x10, 1_000, 1e3]',
        "c.A.dict = {'python': '# YOUR CODE HERE', 'R': None,}  # trailing comment",
        'c.A.flags = (True, False)',
      ].join('\n'),
    );
    const values = Object.fromEntries([...config.assignments].map(([k, v]) => [k, v.value]));
    expect(values).toEqual({
      'A.single': "it's",
      'A.double': 'tab\there\n',
      'A.raw': '\\d+',
      'A.triple': 'line1\nline2',
      'A.concat': 'ab',
      'A.numbers': [1, -2.5, 16, 1000, 1000],
      'A.dict': { python: '# YOUR CODE HERE', R: null },
      'A.flags': [true, false],
    });
    expect(config.problems).toEqual([]);
  });

  it('reports, and never runs, anything that is not a literal assignment', () => {
    const config = readNbgraderConfig(
      [
        'import os',
        "c.Exchange.root = os.environ['HOME']",
        "c.A.b = 'ok'",
        'c.A.c = f"{x}"',
        "c.A.d = 'unterminated",
        'c.A.e.append(1)',
        "c.A.f = 'x'; print(1)",
      ].join('\n'),
      'course/nbgrader_config.py',
    );
    expect(config.problems.map((p) => p.line)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(config.problems[1]!.reason).toContain("'os' is a name, not a literal value");
    expect(config.problems[2]!.reason).toContain('f-strings are computed');
    expect(config.problems[3]!.reason).toContain('unterminated string');
    expect([...config.assignments.keys()]).toEqual(['A.b']);
  });
});

describe('nbgraderSettings', () => {
  it("gives nbgrader's defaults", () => {
    const settings = nbgraderSettings();
    expect(settings.clearSolutions.codeStub.python).toBe('# YOUR CODE HERE\nraise NotImplementedError()');
    expect(settings.clearSolutions.textStub).toBe('YOUR ANSWER HERE');
    expect(settings.clearHiddenTests.beginDelimiter).toBe('BEGIN HIDDEN TESTS');
    expect(settings.executeTimeout).toBe(30);
    expect(settings.latePenaltyMethod).toBe('none');
    expect(settings.limitOutput).toEqual({ maxLines: 1000, maxTraceback: 100 });
    expect(settings.ignoreChecksums).toBe(false);
  });

  it('types the values a config sets, Execute.timeout winning over ExecutePreprocessor.timeout', () => {
    const config = readNbgraderConfig(
      [
        "c.CourseDirectory.course_id = 'course101'",
        'c.ExecutePreprocessor.timeout = 10',
        'c.Execute.timeout = 2',
        "c.ClearSolutions.code_stub = '# old style string stub'",
        "c.LateSubmissionPlugin.penalty_method = 'zero'",
        "c.Autograde.exclude_overwriting = {'ps1': ['helper.py']}",
        'c.Validator.ignore_checksums = True',
      ].join('\n'),
    );
    const settings = nbgraderSettings(config);
    expect(settings.courseId).toBe('course101');
    expect(settings.executeTimeout).toBe(2);
    expect(settings.clearSolutions.codeStub).toEqual({ python: '# old style string stub' });
    expect(settings.latePenaltyMethod).toBe('zero');
    expect(settings.excludeOverwriting).toEqual({ ps1: ['helper.py'] });
    expect(settings.ignoreChecksums).toBe(true);
  });

  it('applies command-line overrides as literals', () => {
    const config = readNbgraderConfig('');
    applyConfigOverride(config, 'Execute.timeout', '2');
    applyConfigOverride(config, 'IgnorePattern.pattern', 'Warning|debug');
    const settings = nbgraderSettings(config);
    expect(settings.executeTimeout).toBe(2);
    expect(settings.ignorePattern.pattern).toBe('Warning|debug');
  });

  it('refuses a value of the wrong type, naming the key, the file and the line', () => {
    const config = readNbgraderConfig(
      "c = get_config()\nc.LockCells.lock_all_cells = 'yes'\n",
      'course/nbgrader_config.py',
    );
    expect(() => nbgraderSettings(config)).toThrow(NbgraderConfigError);
    expect(() => nbgraderSettings(config)).toThrow(
      'LockCells.lock_all_cells must be True or False (course/nbgrader_config.py line 2)',
    );
  });
});
