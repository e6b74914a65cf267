// The sample course (examples/sample-course/) through the offline `coursehub nbgrader` commands, as
// an instructor would run them on a copy of it: its cell metadata passes nbgrader 0.9.5's checks,
// the student version hides the solution and the hidden tests, a correct answer gets every
// autograded point, a plausible wrong one passes the visible test and gets 0 on the hidden one, and
// the written answer waits for a person.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCourseGradebook } from '../../src/gradebook/course-gradebook.js';
import { loadAssignmentScores, type AssignmentScores } from '../../src/gradebook/scores.js';
import { parseNotebook, validateNotebookMetadata } from '../../src/notebook/index.js';

const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const SAMPLE_COURSE = join(import.meta.dirname, '../../examples/sample-course');
const COURSE_ID = 'demo101';
const ASSIGNMENT = 'hello';
const NOTEBOOK = 'hello.ipynb';

const CORRECT = `def mean(numbers):
    if not numbers:
        raise ValueError("no numbers")
    return sum(numbers) / len(numbers)`;
// Right for the visible tests' whole-number means, wrong for 1.5 (integer division).
const WRONG = `def mean(numbers):
    return sum(numbers) // len(numbers)`;

function coursehub(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  metadata: { nbgrader?: Record<string, unknown> };
}
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

function releasedCells(dir: string): Cell[] {
  const release = JSON.parse(readFileSync(join(dir, 'release', ASSIGNMENT, NOTEBOOK), 'utf8')) as {
    cells: Cell[];
  };
  return release.cells;
}

/** A submission: the student version with the code answer and the written answer given (if given). */
function submit(dir: string, student: string, answer: string | undefined, written?: string): void {
  const release = JSON.parse(readFileSync(join(dir, 'release', ASSIGNMENT, NOTEBOOK), 'utf8')) as {
    cells: Cell[];
  };
  const cell = release.cells.find((c) => c.metadata.nbgrader?.grade_id === 'mean');
  if (!cell) throw new Error('the student version has no answer cell "mean"');
  if (answer !== undefined) cell.source = answer;
  const explain = release.cells.find((c) => c.metadata.nbgrader?.grade_id === 'explain');
  if (!explain) throw new Error('the student version has no written answer cell "explain"');
  if (written !== undefined) explain.source = written;
  const folder = join(dir, 'submitted', student, ASSIGNMENT);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, NOTEBOOK), JSON.stringify(release, null, 1));
  writeFileSync(join(folder, 'timestamp.txt'), '2026-01-01 10:00:00.000000 UTC');
}

describe('the sample course (examples/sample-course)', () => {
  let dir: string;
  let scores: AssignmentScores;
  let autograded: { students: Array<{ id: string; score: number }> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coursehub-sample-'));
    cpSync(SAMPLE_COURSE, dir, { recursive: true });
    const added = coursehub('nbgrader', 'db', 'assignment', 'add', ASSIGNMENT, '--course-dir', dir);
    expect(added.code, added.stderr).toBe(0);
    const generated = coursehub('nbgrader', 'generate_assignment', ASSIGNMENT, '--course-dir', dir);
    expect(generated.code, generated.stderr).toBe(0);
    submit(dir, 'right', CORRECT, 'An empty list has no mean; 0 would look like a real one.');
    submit(dir, 'wrong', WRONG);
    submit(dir, 'blank', undefined);
    const run = coursehub('nbgrader', 'autograde', ASSIGNMENT, '--course-dir', dir, '--json');
    expect(run.code, run.stderr).toBe(0);
    autograded = JSON.parse(run.stdout) as typeof autograded;
    const gradebook = await openCourseGradebook(dir, COURSE_ID);
    try {
      scores = await loadAssignmentScores(gradebook.store, gradebook.courseId, ASSIGNMENT);
    } finally {
      await gradebook.close();
    }
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has valid nbgrader metadata (schema 3): an answer, a visible and a hidden test, a written answer', () => {
    const source = parseNotebook(readFileSync(join(SAMPLE_COURSE, 'source', ASSIGNMENT, NOTEBOOK)));
    expect(validateNotebookMetadata(source).warnings).toEqual([]);
    const graded = source.cells.flatMap((cell) => {
      const meta = cell.metadata.nbgrader as Record<string, unknown> | undefined;
      return meta ? [{ type: cell.cell_type, ...meta }] : [];
    });
    expect(graded).toEqual([
      { type: 'code', schema_version: 3, grade: false, grade_id: 'mean', locked: false, solution: true },
      {
        type: 'code',
        schema_version: 3,
        grade: true,
        grade_id: 'test_mean_visible',
        locked: true,
        points: 1,
        solution: false,
      },
      {
        type: 'code',
        schema_version: 3,
        grade: true,
        grade_id: 'test_mean_hidden',
        locked: true,
        points: 2,
        solution: false,
      },
      {
        type: 'markdown',
        schema_version: 3,
        grade: true,
        grade_id: 'explain',
        locked: false,
        points: 2,
        solution: true,
      },
    ]);
    expect(text(source.cells.find((c) => c.id === 'test-mean-hidden') as Cell)).toContain(
      '### BEGIN HIDDEN TESTS',
    );
  });

  it("the instructor's model solution passes every test, the hidden ones too (nbgrader's validate)", () => {
    const run = coursehub(
      'nbgrader',
      'validate',
      join(dir, 'source', ASSIGNMENT, NOTEBOOK),
      '--course-dir',
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Success! Your notebook passes all the tests.');
  }, 60_000);

  it('the student version has no solution, no hidden test and no model answer', () => {
    const cells = releasedCells(dir);
    const byId = (gradeId: string) => text(cells.find((c) => c.metadata.nbgrader?.grade_id === gradeId)!);
    expect(byId('mean')).toContain('# YOUR CODE HERE');
    expect(byId('mean')).not.toContain('sum(numbers)');
    expect(byId('test_mean_visible')).toContain('assert mean([1, 2, 3]) == 2');
    expect(byId('test_mean_hidden')).not.toMatch(/HIDDEN|assert|1\.5/);
    expect(byId('explain')).toBe('YOUR ANSWER HERE');
    const whole = cells.map(text).join('\n');
    expect(whole).not.toMatch(/BEGIN SOLUTION|BEGIN HIDDEN TESTS|silently pull down/);
  });

  it('a correct answer gets all 3 autograded points; a wrong one passes the visible test and gets 0 on the hidden one', () => {
    expect(Object.fromEntries(autograded.students.map((s) => [s.id, s.score]))).toEqual({
      blank: 0,
      right: 3,
      wrong: 1,
    });
    const grades = (student: string) =>
      scores.submissions.find((s) => s.studentId === student)!.notebooks.hello!.grades;
    expect(grades('right').test_mean_visible).toMatchObject({ autoScore: 1, maxScore: 1 });
    expect(grades('right').test_mean_hidden).toMatchObject({ autoScore: 2, maxScore: 2 });
    expect(grades('wrong').test_mean_visible).toMatchObject({ autoScore: 1, failedTests: false });
    expect(grades('wrong').test_mean_hidden).toMatchObject({ autoScore: 0, failedTests: true });
    expect(scores.maxScore).toBe(5);
  });

  it('a written answer waits for manual grading; an unanswered one scores 0 at once, as in nbgrader', () => {
    const submission = (student: string) => scores.submissions.find((s) => s.studentId === student)!;
    expect(submission('right').notebooks.hello!.grades.explain).toMatchObject({
      cellType: 'markdown',
      autoScore: null,
      manualScore: null,
      maxScore: 2,
      needsManualGrade: true,
    });
    expect(submission('right').needsManualGrade).toBe(true);
    for (const student of ['wrong', 'blank']) {
      expect(submission(student).notebooks.hello!.grades.explain).toMatchObject({
        autoScore: 0,
        needsManualGrade: false,
      });
      expect(submission(student).needsManualGrade).toBe(false);
    }
  });

  it('the feedback of the wrong answer shows its 1 of 3 autograded points, and not the hidden tests', () => {
    const run = coursehub(
      'nbgrader',
      'generate_feedback',
      ASSIGNMENT,
      '--student',
      'wrong',
      '--course-dir',
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(join(dir, 'feedback', 'wrong', ASSIGNMENT, 'hello.html'), 'utf8');
    // What a reader sees: the text without tags, styles and entities.
    const seen = html
      .replace(/<style[\s\S]*?<\/style>/g, '')
      .replace(/<[^>]+>/g, '')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    expect(seen).toContain('hello (Score: 1.0 / 5.0)');
    expect(seen).toContain('assert mean([1, 2, 3]) == 2');
    expect(seen).toMatch(/test_mean_hidden\s*Score: 0\.0 \/ 2\.0/);
    expect(seen).toContain('Hidden tests of this cell, and what they printed, are not shown.');
    expect(seen).not.toMatch(/HIDDEN TESTS|1\.5|mean\(\[\]\)|0\.1, 0\.2/);
  }, 60_000);
});
