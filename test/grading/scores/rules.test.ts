// nbgrader's scoring rules as pure functions (src/grading/scores/): Grade.score, the seconds late,
// and the order grades are added up in, which decides the last bit of a sum of fractions.
import { describe, expect, it } from 'vitest';
import {
  gradeScore,
  inGradeIdOrder,
  inListingOrder,
  notebookMaxima,
  notebookTotals,
  scoreGrade,
  secondsLate,
  submissionTotals,
  type NotebookCells,
} from '../../../src/grading/scores/index.js';

describe('scoring rules', () => {
  it('scores a grade by its manual score, else its automatic one, plus extra credit', () => {
    expect(gradeScore({ autoScore: 1, manualScore: null, extraCredit: null })).toBe(1);
    expect(gradeScore({ autoScore: 1, manualScore: 0.5, extraCredit: 0.25 })).toBe(0.75);
    expect(gradeScore({ autoScore: null, manualScore: null, extraCredit: 2 })).toBe(0);
  });

  it('counts the seconds past the due date and the extension, never below 0', () => {
    const due = Date.UTC(2024, 2, 1, 17) * 1000;
    expect(secondsLate(due + 3_600_000_000, due, 0)).toBe(3600);
    expect(secondsLate(due + 3_600_000_000, due, 7200)).toBe(0);
    expect(secondsLate(null, due, 0)).toBe(0);
    expect(secondsLate(due, null, 0)).toBe(0);
  });

  it('adds grades in grade-id order, integer ids first as an object lists them', () => {
    const rows = ['b', '10', 'a_2', '2', 'A', '02'].map((name) => ({ name }));
    expect(inGradeIdOrder(rows).map((r) => r.name)).toEqual(['02', '10', '2', 'A', 'a_2', 'b']);
    expect(inListingOrder(rows).map((r) => r.name)).toEqual(['2', '10', '02', 'A', 'a_2', 'b']);
    const keyed = Object.fromEntries(inGradeIdOrder(rows).map((r) => [r.name, r]));
    expect(Object.values(keyed)).toEqual(inListingOrder(rows));
  });

  it('totals a notebook and a submission as nbgrader does', () => {
    const cells: NotebookCells = new Map([
      ['test', { maxScore: 2, cellType: 'code' as const, task: false }],
      ['essay', { maxScore: 3, cellType: 'markdown' as const, task: false }],
      ['task', { maxScore: 1, cellType: 'markdown' as const, task: true }],
    ]);
    const grade = (name: string, autoScore: number | null, manualScore: number | null = null) => ({
      name,
      cellKind: name === 'task' ? 'task' : 'grade',
      autoScore,
      manualScore,
      extraCredit: null,
      needsManualGrade: autoScore === null && manualScore === null,
    });
    const grades = [grade('essay', null, 2), grade('task', null), grade('test', 1.5), grade('gone', 1)];
    expect(scoreGrade(cells, grades[2]!)).toMatchObject({
      cellKind: 'GradeCell',
      score: 1.5,
      failedTests: true,
    });
    // A grade whose cell is gone counts, as a code cell worth nothing.
    expect(scoreGrade(cells, grades[3]!)).toMatchObject({
      cellType: 'code',
      maxScore: 0,
      failedTests: false,
    });
    // A grade belongs to the cell of its kind: a grade cell that became a task cell (or the
    // other way round) is gone for the grades given before.
    expect(scoreGrade(cells, { ...grades[2]!, name: 'task', autoScore: -1 })).toMatchObject({
      cellKind: 'GradeCell',
      cellType: 'code',
      maxScore: 0,
      failedTests: true,
    });
    expect(scoreGrade(cells, { ...grades[1]!, name: 'essay' })).toMatchObject({
      cellKind: 'TaskCell',
      maxScore: 0,
    });
    const totals = notebookTotals(cells, notebookMaxima(cells), grades.slice(0, 3), {
      flagged: false,
      latePenalty: 1,
    });
    expect(totals).toEqual({
      score: 3.5,
      maxScore: 6,
      codeScore: 1.5,
      maxCodeScore: 2,
      writtenScore: 2,
      maxWrittenScore: 3,
      taskScore: 0,
      maxTaskScore: 1,
      needsManualGrade: true,
      failedTests: true,
      flagged: false,
      latePenalty: 1,
    });
    expect(submissionTotals([totals, { ...totals, latePenalty: null }])).toEqual({
      score: 7,
      codeScore: 3,
      writtenScore: 4,
      taskScore: 0,
      latePenalty: 1,
      scoreAfterPenalty: 6,
      needsManualGrade: true,
    });
    expect(submissionTotals([{ ...totals, latePenalty: 5 }]).scoreAfterPenalty).toBe(0);
  });
});
