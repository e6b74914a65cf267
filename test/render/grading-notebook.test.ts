// The renderer's grading mode: each cell's nbgrader role for the score boxes, hidden tests shown
// to graders and marked (the feedback page removes them), and the same sanitizing as feedback.
import { describe, expect, it } from 'vitest';
import type { Cell, Notebook } from '../../src/notebook/index.js';
import { renderForGrading } from '../../src/render/index.js';
import { hostileNotebook, inertProblems } from './support/hostile.js';

const nbgrader = (meta: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, ...meta } });

const notebook = (cells: Cell[]): Notebook => ({
  cells,
  metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
  nbformat: 4,
  nbformat_minor: 5,
});

describe('renderForGrading', () => {
  const cells: Cell[] = [
    { cell_type: 'markdown', metadata: {}, source: 'intro' },
    {
      cell_type: 'code',
      metadata: nbgrader({ grade: false, solution: true, locked: false, grade_id: 'answer' }),
      source: 'a = 1',
      outputs: [],
      execution_count: 1,
    },
    {
      cell_type: 'code',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'test_a', points: 1.5 }),
      source: 'assert a == 1\n### BEGIN HIDDEN TESTS\nassert a != 2\n### END HIDDEN TESTS\nprint("done")',
      outputs: [],
      execution_count: 2,
    },
    {
      cell_type: 'markdown',
      metadata: nbgrader({ grade: true, solution: true, locked: false, grade_id: 'essay', points: 2 }),
      source: 'An essay.',
    },
  ];

  it('gives each cell its nbgrader role (grade id, points, answer / test / task)', () => {
    const rendered = renderForGrading(notebook(cells));
    expect(rendered.map((c) => c.role)).toEqual([
      undefined,
      { gradeId: 'answer', points: 0, solution: true, grade: false, task: false, locked: false },
      { gradeId: 'test_a', points: 1.5, solution: false, grade: true, task: false, locked: true },
      { gradeId: 'essay', points: 2, solution: true, grade: true, task: false, locked: false },
    ]);
  });

  it('shows hidden tests, delimiters included, in a marked box; the visible tests outside it', () => {
    const [, , test] = renderForGrading(notebook(cells));
    expect(test!.hiddenTests).toBe(true);
    // The box's text (highlighting splits the code into tokens).
    const box = /<div class="nb-hidden-tests">([\s\S]*?)<\/pre><\/div>/
      .exec(test!.input)![1]!
      .replace(/<[^>]+>/g, '');
    expect(box).toContain('graders see them, students never do');
    expect(box).toContain('BEGIN HIDDEN TESTS');
    expect(box).toContain('a != 2');
    expect(box).toContain('END HIDDEN TESTS');
    expect(box).not.toContain('done');
    expect(test!.input.indexOf('a == 1')).toBeLessThan(test!.input.indexOf('nb-hidden-tests'));
    expect(test!.input.lastIndexOf('done')).toBeGreaterThan(test!.input.indexOf('END HIDDEN TESTS'));
  });

  it('uses the course’s own delimiters when it has them', () => {
    const custom: Cell = { ...cells[2]!, source: 'x\n# HIDE START\nsecret()\n# HIDE STOP' };
    const [plain] = renderForGrading(notebook([custom]));
    expect(plain!.hiddenTests).toBe(false);
    const [marked] = renderForGrading(notebook([custom]), {
      hiddenTests: { beginDelimiter: 'HIDE START', endDelimiter: 'HIDE STOP' },
    });
    expect(marked!.hiddenTests).toBe(true);
  });

  it('renders the hostile notebook inert, hidden-test boxes included', () => {
    const hostile = hostileNotebook();
    hostile.cells.push({
      cell_type: 'code',
      metadata: nbgrader({ grade: true, solution: false, locked: true, grade_id: 'evil', points: 1 }),
      source:
        '### BEGIN HIDDEN TESTS\n</code></pre><script>alert(1)</script><img src=x onerror=alert(2)>\n### END HIDDEN TESTS',
      outputs: [],
      execution_count: 3,
    });
    const rendered = renderForGrading(hostile);
    expect(rendered.at(-1)!.hiddenTests).toBe(true);
    expect(rendered.at(-1)!.input).toContain('&lt;script&gt;');
    for (const cell of rendered) {
      expect(inertProblems(cell.input), `input of cell ${cell.index}`).toEqual([]);
      expect(inertProblems(cell.outputs), `outputs of cell ${cell.index}`).toEqual([]);
    }
  });
});
