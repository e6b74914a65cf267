// generate_feedback's steps on one notebook: GetGrades (scores, comments, the late penalty) and
// RemoveHiddenTests, on the autograded notebook of the hidden-tests conformance case, whose
// student failed a hidden test (so the traceback quotes it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FEEDBACK_SETTINGS,
  FeedbackMissingGradeError,
  feedbackSteps,
  type FeedbackContext,
  type NotebookGradebookRecord,
} from '../../../src/grading/feedback/index.js';
import { collectingLog } from '../../../src/grading/pipeline/step-log.js';
import { runSteps } from '../../../src/grading/pipeline/step.js';
import { cellSource, parseNotebook, type Notebook } from '../../../src/notebook/index.js';
import { renderFeedbackPage } from '../../../src/render/index.js';

const CASE = join(import.meta.dirname, '../../fixtures/nbgrader-conformance/autograde/hidden-tests');

function autograded(): Notebook {
  return parseNotebook(readFileSync(join(CASE, 'expected/autograded/foo/ps1/p1.ipynb')), { name: 'p1' });
}

/** The gradebook's record of foo's p1, from nbgrader's own scores.json. */
function record(overrides: Partial<NotebookGradebookRecord> = {}): NotebookGradebookRecord {
  const scores = JSON.parse(readFileSync(join(CASE, 'expected/scores.json'), 'utf8')) as {
    students: Record<
      string,
      {
        notebooks: Record<
          string,
          {
            score: number;
            max_score: number;
            grades: Record<string, { score: number; max_score: number }>;
            comments: Record<string, { auto_comment: string | null; manual_comment: string | null }>;
          }
        >;
      }
    >;
  };
  const p1 = scores.students.foo!.notebooks.p1!;
  return {
    grades: Object.fromEntries(
      Object.entries(p1.grades).map(([id, g]) => [id, { score: g.score, maxScore: g.max_score }]),
    ),
    comments: Object.fromEntries(
      Object.entries(p1.comments).map(([id, c]) => [id, c.manual_comment ?? c.auto_comment]),
    ),
    score: p1.score,
    maxScore: p1.max_score,
    latePenalty: null,
    ...overrides,
  };
}

async function run(notebook: Notebook, gradebook: NotebookGradebookRecord, showHiddenTests = false) {
  const log = collectingLog();
  const context: FeedbackContext = {
    notebookId: 'p1',
    gradebook,
    settings: { ...DEFAULT_FEEDBACK_SETTINGS, showHiddenTests },
    log,
  };
  await runSteps(notebook, feedbackSteps(context.settings), context);
  const page = renderFeedbackPage({
    notebookName: 'p1',
    notebook,
    cells: context.feedback!.cells,
    score: context.feedback!.score,
    maxScore: context.feedback!.maxScore,
    latePenalty: context.feedback!.latePenalty,
  });
  return { context, page, warnings: log.messages };
}

const HIDDEN_LINE = 'squares(10) == [1, 4, 9, 16, 25, 36, 49, 64, 81, 100]';

describe('generate_feedback steps', () => {
  it('the autograded notebook really holds the hidden tests and a traceback quoting one', () => {
    const notebook = autograded();
    const test = notebook.cells.find((c) => c.metadata.nbgrader?.grade_id === 'correct_squares')!;
    expect(cellSource(test)).toContain('### BEGIN HIDDEN TESTS');
    expect(JSON.stringify(test)).toContain('AssertionError');
  });

  it('removes hidden tests and their outputs, and keeps the test cell’s score', async () => {
    const { context, page } = await run(autograded(), record());
    expect(page).not.toContain('BEGIN HIDDEN TESTS');
    expect(page).not.toContain('squares(10) ==');
    expect(page).not.toContain('sum_of_squares(10) ==');
    // Both failing tracebacks quoted a hidden test: gone with it.
    expect(page).not.toContain('nb-output nb-error');
    const cell = context.feedback!.cells.find((c) => c?.gradeId === 'correct_squares')!;
    expect(cell).toMatchObject({ score: { score: 0, maxScore: 1 }, hiddenTestsRemoved: true });
    expect(page).toContain(
      '<code>correct_squares</code></span><span class="nb-grade-score">Score: 0.0 / 1.0',
    );
    expect(page).toContain('Hidden tests of this cell, and what they printed, are not shown.');
    // The visible part of the test stays.
    expect(page).toContain('assert</span> squares(<span class="hljs-number">2</span>)');
  });

  it('shows them, as nbgrader 0.9.5 does, with GenerateFeedback.show_hidden_tests', async () => {
    const { page } = await run(autograded(), record(), true);
    expect(page).toContain('### BEGIN HIDDEN TESTS');
    expect(page).toContain('nb-output nb-error');
    expect(page.replace(/<[^>]+>/g, '')).toContain(HIDDEN_LINE);
  });

  it('takes the notebook score, the comments ("No response.") and the scores from the gradebook', async () => {
    const { context, page, warnings } = await run(autograded(), record());
    expect(context.feedback).toMatchObject({ score: 1.5, maxScore: 3, latePenalty: 0 });
    expect(page).toContain('<h1 class="nb-feedback-title">p1 (Score: 1.5 / 3.0)</h1>');
    expect(page).toContain('<b>Comments:</b> <p>No response.</p>');
    expect(page).not.toContain('<li class="nb-late-penalty">');
    expect(warnings).toEqual([]);
  });

  it('prefers a grader’s comment and subtracts the late penalty from the title score', async () => {
    const gradebook = record({ latePenalty: 0.5 });
    gradebook.comments.squares = 'Good start, but *check* $n<1$.';
    const { context, page, warnings } = await run(autograded(), gradebook);
    expect(context.feedback!.score).toBe(1);
    expect(page).toContain('p1 (Score: 1.0 / 3.0)');
    expect(page).toContain('<li class="nb-late-penalty">Late submission penalty (Score: -0.5)</li>');
    expect(page).toContain('Good start, but <em>check</em> <span class="katex"><math>');
    expect(warnings).toEqual(['Late submission penalty: 0.5']);
  });

  it('fails when the gradebook does not know a graded cell (nbgrader: MissingEntry)', async () => {
    const gradebook = record();
    delete gradebook.grades.correct_squares;
    await expect(run(autograded(), gradebook)).rejects.toThrow(FeedbackMissingGradeError);
    await expect(run(autograded(), gradebook)).rejects.toThrow(
      "No grade for cell 'correct_squares' of notebook 'p1' in the gradebook.",
    );
  });

  it('ignores grades a student wrote into cell metadata', async () => {
    const notebook = autograded();
    const cell = notebook.cells.find((c) => c.metadata.nbgrader?.grade_id === 'correct_squares')!;
    cell.metadata.nbgrader!.score = 1;
    (cell.metadata.nbgrader as Record<string, unknown>).comment = 'Perfect!';
    const { page } = await run(notebook, record());
    expect(page).toContain(
      '<code>correct_squares</code></span><span class="nb-grade-score">Score: 0.0 / 1.0',
    );
    expect(page).not.toContain('Perfect!');
  });
});
