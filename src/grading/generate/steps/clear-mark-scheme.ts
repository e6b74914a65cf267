import { cellSource, isTask } from '../../../notebook/index.js';
import { RegionError } from '../errors.js';
import { cellStep, gradeIdOf } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';
import { isRegionProblem, scanRegions } from './regions.js';

const ATTACHMENT = /!\[.*\]\(attachment:.+?\)/;

/** ClearMarkScheme: BEGIN MARK SCHEME ... END MARK SCHEME regions are removed from task cells. */
export const clearMarkScheme = cellStep<GenerateContext>(
  'ClearMarkScheme',
  (cell, cellIndex, { settings }) => {
    const { beginDelimiter, endDelimiter, enforceMetadata, checkAttachmentLeakage } =
      settings.clearMarkScheme;
    const where = { cellIndex, gradeId: gradeIdOf(cell) };
    const scan = scanRegions(cellSource(cell), beginDelimiter, endDelimiter, {
      insideLine: (line) => {
        if (checkAttachmentLeakage && ATTACHMENT.test(line))
          throw new RegionError(
            'Encountered an attachment in a marking scheme. This can leak to student notebooks.',
            where,
            {
              hint:
                'Embed the image instead of attaching it, or set ' +
                'c.ClearMarkScheme.check_attachment_leakage = False if the leak does not matter.',
            },
          );
      },
    });
    if (isRegionProblem(scan))
      throw new RegionError(
        scan.kind === 'nested'
          ? 'Encountered nested begin mark scheme statements'
          : 'No end mark scheme tests statement found',
        where,
        { hint: `Close every ${beginDelimiter} with one ${endDelimiter} before the next one.` },
      );
    cell.source = scan.lines.join('\n');
    if (scan.found && !isTask(cell) && enforceMetadata)
      throw new RegionError(
        "Mark scheme region detected in a non-grade cell; please make sure all mark scheme regions are within 'Manually graded task' cells.",
        where,
        { hint: 'Mark the cell as "Manually graded task", or remove the region.' },
      );
  },
  (notebook) => delete notebook.metadata.celltoolbar,
);
