/**
 * RemoveHiddenTests (coursehub's; nbgrader 0.9.5 shows hidden tests in feedback): the
 * `BEGIN HIDDEN TESTS ... END HIDDEN TESTS` regions that autograde put back into test cells are
 * taken out again, and so are those cells' outputs, since a traceback quotes the failing line of
 * a hidden test. The cell keeps its score. Mark-scheme regions (only there when autograde re-added
 * a deleted task cell) are instructor-only too and are taken out of task cells. A region that
 * never ends hides everything after its start: hiding too much is the safe side.
 */
import { cellSource, isGrade, isSolution, isTask } from '../../notebook/index.js';
import { cellStep } from '../pipeline/step.js';
import type { FeedbackContext } from './context.js';

/** The source without the regions between `begin` and `end` lines (an unclosed region runs to the end). */
function withoutRegions(source: string, begin: string, end: string): { text: string; found: boolean } {
  const kept: string[] = [];
  let inside = false;
  let found = false;
  for (const line of source.split('\n')) {
    if (line.includes(begin)) {
      inside = true;
      found = true;
    } else if (inside && line.includes(end)) inside = false;
    else if (!inside) kept.push(line);
  }
  return { text: kept.join('\n'), found };
}

export const removeHiddenTests = cellStep<Pick<FeedbackContext, 'settings' | 'feedback'>>(
  'RemoveHiddenTests',
  (cell, index, { settings, feedback }) => {
    if (isGrade(cell) && !isSolution(cell)) {
      const { beginDelimiter, endDelimiter } = settings.hiddenTests;
      const { text, found } = withoutRegions(cellSource(cell), beginDelimiter, endDelimiter);
      if (!found) return;
      cell.source = text;
      if (cell.cell_type === 'code') cell.outputs = [];
      const entry = feedback?.cells[index];
      if (entry) entry.hiddenTestsRemoved = true;
    } else if (isTask(cell)) {
      const { beginDelimiter, endDelimiter } = settings.markScheme;
      const { text, found } = withoutRegions(cellSource(cell), beginDelimiter, endDelimiter);
      if (found) cell.source = text;
    }
  },
);
