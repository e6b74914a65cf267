/**
 * The renderer's grading mode: an autograded notebook as a grader sees it. The same cells as the
 * student's feedback (./cells.ts, every fragment sanitized), plus what only graders see:
 *
 * - each cell's nbgrader role (grade id, points, answer / test / task), so a page can put its
 *   score boxes and comment at the graded cells;
 * - the hidden tests that autograde restored into test cells, shown and marked as hidden from
 *   students (the feedback page removes them; see src/grading/feedback/remove-hidden-tests.ts).
 */
import {
  cellSource,
  isGrade,
  isLocked,
  isSolution,
  isTask,
  nbgraderMetadata,
  type Cell,
  type Notebook,
} from '../notebook/index.js';
import { renderCell, notebookLanguage, type RenderedCell, type RenderOptions } from './cells.js';
import { escapeHtml } from './escape.js';
import { highlightCode } from './highlight.js';
import { sanitizeHtml, type SanitizedHtml } from './sanitize.js';

/** nbgrader's role of a cell, from its metadata. */
export interface GradingRole {
  gradeId: string;
  /** The cell's points (grade and task cells), else 0. */
  points: number;
  solution: boolean;
  grade: boolean;
  task: boolean;
  locked: boolean;
}

export interface GradingCell extends RenderedCell {
  /** undefined for a cell nbgrader does not grade or lock. */
  role?: GradingRole;
  /** The input shows hidden tests (graders only). */
  hiddenTests: boolean;
}

export interface GradingRenderOptions extends RenderOptions {
  /** ClearHiddenTests' delimiters (nbgrader's defaults when left out). */
  hiddenTests?: { beginDelimiter: string; endDelimiter: string };
}

const DEFAULT_HIDDEN = { beginDelimiter: 'BEGIN HIDDEN TESTS', endDelimiter: 'END HIDDEN TESTS' };

function roleOf(cell: Cell): GradingRole | undefined {
  const meta = nbgraderMetadata(cell);
  if (!meta) return undefined;
  const graded = isGrade(cell) || isTask(cell);
  const points = graded && typeof meta.points === 'number' && Number.isFinite(meta.points) ? meta.points : 0;
  return {
    gradeId: typeof meta.grade_id === 'string' ? meta.grade_id : '',
    points,
    solution: isSolution(cell),
    grade: isGrade(cell),
    task: isTask(cell),
    locked: isLocked(cell),
  };
}

/**
 * A test cell's code with its hidden-test regions set apart: each region (delimiter lines
 * included, as nbgrader's regions are whole lines) highlighted on its own inside a marked box.
 * null when the cell has no region.
 */
function withHiddenTests(source: string, language: string, delimiters: typeof DEFAULT_HIDDEN): string | null {
  const lines = source.split('\n');
  const parts: { hidden: boolean; lines: string[] }[] = [];
  let hidden = false;
  let found = false;
  for (const line of lines) {
    if (!hidden && line.includes(delimiters.beginDelimiter)) {
      hidden = true;
      found = true;
      parts.push({ hidden: true, lines: [line] });
      continue;
    }
    const last = parts.at(-1);
    if (last && last.hidden === hidden) last.lines.push(line);
    else parts.push({ hidden, lines: [line] });
    if (hidden && line.includes(delimiters.endDelimiter)) hidden = false;
  }
  if (!found) return null;
  return parts
    .filter((part) => part.lines.join('') !== '' || part.hidden)
    .map((part) => {
      const code = highlightCode(part.lines.join('\n'), language);
      return part.hidden
        ? `<div class="nb-hidden-tests"><div class="nb-hidden-tests-label">${escapeHtml('Hidden tests: graders see them, students never do')}</div>${code}</div>`
        : code;
    })
    .join('');
}

/** The notebook in grading mode: every cell rendered and sanitized, with its nbgrader role. */
export function renderForGrading(notebook: Notebook, options: GradingRenderOptions = {}): GradingCell[] {
  const language = options.language ?? notebookLanguage(notebook);
  const delimiters = options.hiddenTests ?? DEFAULT_HIDDEN;
  return notebook.cells.map((cell, index) => {
    const rendered = renderCell(cell, index, { ...options, language });
    const role = roleOf(cell);
    const hidden =
      cell.cell_type === 'code' && role?.grade && !role.solution
        ? withHiddenTests(cellSource(cell), language, delimiters)
        : null;
    return {
      ...rendered,
      input: hidden === null ? rendered.input : (sanitizeHtml(hidden) as SanitizedHtml),
      role,
      hiddenTests: hidden !== null,
    };
  });
}
