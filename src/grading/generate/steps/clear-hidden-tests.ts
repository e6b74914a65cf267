import { cellSource, isGrade } from '../../../notebook/index.js';
import { RegionError } from '../errors.js';
import { cellStep, gradeIdOf } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';
import { isRegionProblem, scanRegions } from './regions.js';

/** ClearHiddenTests: BEGIN HIDDEN TESTS ... END HIDDEN TESTS regions are removed from test cells. */
export const clearHiddenTests = cellStep<GenerateContext>(
  'ClearHiddenTests',
  (cell, cellIndex, { settings }) => {
    const { beginDelimiter, endDelimiter, enforceMetadata } = settings.clearHiddenTests;
    const where = { cellIndex, gradeId: gradeIdOf(cell) };
    const scan = scanRegions(cellSource(cell), beginDelimiter, endDelimiter);
    if (isRegionProblem(scan))
      throw new RegionError(
        scan.kind === 'nested'
          ? 'Encountered nested begin hidden tests statements'
          : 'No end hidden tests statement found',
        where,
        { hint: `Close every ${beginDelimiter} with one ${endDelimiter} before the next one.` },
      );
    cell.source = scan.lines.join('\n');
    if (scan.found && !isGrade(cell) && enforceMetadata)
      throw new RegionError(
        "Hidden test region detected in a non-grade cell; please make sure all solution regions are within 'Autograder tests' cells.",
        where,
        { hint: 'Mark the cell as "Autograder tests", or remove the region.' },
      );
  },
  (notebook) => delete notebook.metadata.celltoolbar,
);
