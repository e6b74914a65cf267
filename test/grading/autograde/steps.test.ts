// The pure autograde steps against nbgrader's documented rules (no kernel needed).
import { describe, expect, it } from 'vitest';
import { determineGrade, PartialCreditTooHighError } from '../../../src/grading/autograde/determine-grade.js';
import { limitOutput } from '../../../src/grading/autograde/output-steps.js';
import { DEFAULT_AUTOGRADE_SETTINGS } from '../../../src/grading/autograde/settings.js';
import {
  notebookLatePenalty,
  latePenaltyMethod,
  registerLatePenaltyMethod,
} from '../../../src/grading/late-penalty/index.js';
import { formatNaiveUtc, parseUtc } from '../../../src/gradebook/timestamps.js';
import { pythonFloat } from '../../../src/gradebook/python-format.js';
import type { CodeCell, Notebook, Output } from '../../../src/notebook/index.js';

const testCell = (outputs: Output[], points = 2): CodeCell => ({
  cell_type: 'code',
  execution_count: 1,
  metadata: {
    nbgrader: { grade: true, solution: false, locked: true, grade_id: 't', points, schema_version: 3 },
  },
  outputs,
  source: 'check()',
});
const result = (text: string): Output => ({
  output_type: 'execute_result',
  execution_count: 1,
  data: { 'text/plain': text },
  metadata: {},
});

describe('determine_grade', () => {
  it('scores a numeric last result as partial credit and other values as full credit', () => {
    expect(determineGrade(testCell([result('0.5')]))).toBe(0.5);
    expect(determineGrade(testCell([result('0')]))).toBe(0);
    expect(determineGrade(testCell([result('True')]))).toBe(2);
    expect(determineGrade(testCell([result("'0.5'")]))).toBe(2);
    expect(determineGrade(testCell([result('[0.5]')]))).toBe(2);
    expect(determineGrade(testCell([result('-1')]))).toBe(2);
    expect(determineGrade(testCell([]))).toBe(2);
  });

  it('gives 0 for an error or any stderr output before the result', () => {
    expect(
      determineGrade(testCell([{ output_type: 'stream', name: 'stderr', text: 'warning' }, result('1')])),
    ).toBe(0);
    expect(
      determineGrade(
        testCell([{ output_type: 'error', ename: 'AssertionError', evalue: '', traceback: [] }]),
      ),
    ).toBe(0);
  });

  it('refuses partial credit above the cell points', () => {
    expect(() => determineGrade(testCell([result('5.5')]))).toThrow(PartialCreditTooHighError);
  });
});

describe('LimitOutput', () => {
  it('keeps 999 lines of a 2000-line stream and says it truncated', async () => {
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const notebook: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [testCell([{ output_type: 'stream', name: 'stdout', text }])],
    };
    await limitOutput.run(notebook, { settings: DEFAULT_AUTOGRADE_SETTINGS });
    const lines = String((notebook.cells[0] as CodeCell).outputs[0]?.text).split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines.at(-1)).toBe('... Output truncated ...');
    expect(lines[998]).toBe('line 998');
  });
});

describe('timestamps and late penalties', () => {
  it("reads timestamp.txt as nbgrader's parse_utc does", () => {
    expect(formatNaiveUtc(parseUtc('2020-01-01 07:30:00 America/New_York'))).toBe('2020-01-01 12:30:00');
    expect(formatNaiveUtc(parseUtc('2020-01-01 12:00:00 -0100'))).toBe('2020-01-01 12:01:40');
    expect(formatNaiveUtc(parseUtc('2020-01-01T12:00:01+00:00'))).toBe('2020-01-01 12:00:01');
    expect(formatNaiveUtc(parseUtc('2020-01-01 12:00:00.500000 +0000'))).toBe('2020-01-01 12:00:00.500000');
    expect(() => parseUtc('yesterday')).toThrow(/Cannot read the timestamp/);
  });

  it('applies none, zero and a registered rule, clamped to [0, score]', () => {
    const late = { studentId: 's', score: 4, secondsLate: 7200 };
    expect(notebookLatePenalty(latePenaltyMethod('none'), late)).toBeNull();
    expect(notebookLatePenalty(latePenaltyMethod('zero'), late)).toBe(4);
    expect(notebookLatePenalty(latePenaltyMethod('zero'), { ...late, secondsLate: 0 })).toBeNull();
    registerLatePenaltyMethod('one-per-hour', ({ secondsLate }) => Math.ceil(secondsLate / 3600));
    expect(notebookLatePenalty(latePenaltyMethod('one-per-hour'), late)).toBe(2);
    expect(notebookLatePenalty(latePenaltyMethod('one-per-hour'), { ...late, secondsLate: 36000 })).toBe(4);
    expect(() => latePenaltyMethod('half')).toThrow(/Unknown late penalty method 'half'/);
  });

  it("writes numbers as Python's str(float) does", () => {
    expect([2, 1.5, 0, 1e-5, 1e16, 0.1 + 0.2].map(pythonFloat)).toEqual([
      '2.0',
      '1.5',
      '0.0',
      '1e-05',
      '1e+16',
      '0.30000000000000004',
    ]);
  });
});
