import { cellSource, isSolution } from '../../../notebook/index.js';
import { RegionError, UnknownLanguageError } from '../errors.js';
import { gradeIdOf, type Step } from '../../pipeline/step.js';
import type { GenerateContext } from '../context.js';
import { isRegionProblem, scanRegions } from './regions.js';
import { getOwn } from '../../../util/own-keys.js';

/**
 * ClearSolutions: every BEGIN SOLUTION ... END SOLUTION region becomes the language's code stub
 * (or the text stub in markdown), indented like the BEGIN line; a solution cell without a region
 * is replaced by the stub as a whole. A region outside a solution cell is an error (it would be
 * released to students otherwise), unless enforce_metadata is off.
 */
export const clearSolutions: Step<GenerateContext> = {
  name: 'ClearSolutions',
  run(notebook, context) {
    const settings = context.settings.clearSolutions;
    const kernelspec = notebook.metadata.kernelspec;
    const language = typeof kernelspec?.language === 'string' ? kernelspec.language : 'python';
    const codeStub = getOwn(settings.codeStub, language);
    if (codeStub === undefined)
      throw new UnknownLanguageError(
        `language '${language}' has not been specified in ClearSolutions.code_stub`,
        {},
        {
          hint: `Add a stub for it to nbgrader_config.py, e.g. c.ClearSolutions.code_stub = {'${language}': '# YOUR CODE HERE'}.`,
        },
      );
    context.language = language;
    notebook.cells.forEach((cell, cellIndex) => {
      const stub = cell.cell_type === 'code' ? codeStub : settings.textStub;
      const where = { cellIndex, gradeId: gradeIdOf(cell) };
      const scan = scanRegions(
        cellSource(cell),
        settings.beginSolutionDelimiter,
        settings.endSolutionDelimiter,
        {
          replaceRegion: (beginLine) => {
            const indent = /^\s*/.exec(beginLine)![0];
            return stub.split('\n').map((line) => indent + line);
          },
        },
      );
      if (isRegionProblem(scan))
        throw new RegionError(
          scan.kind === 'nested'
            ? 'encountered nested begin solution statements'
            : 'no end solution statement found',
          where,
          {
            hint: `Close every ${settings.beginSolutionDelimiter} with one ${settings.endSolutionDelimiter} before the next one.`,
          },
        );
      cell.source = scan.lines.join('\n');
      const solution = isSolution(cell);
      if (!solution && scan.found && settings.enforceMetadata)
        throw new RegionError(
          'Solution region detected in a non-solution cell; please make sure all solution regions are within solution cells.',
          where,
          {
            hint: 'Mark the cell as a solution ("Autograded answer" or "Manually graded answer"), or remove the region.',
          },
        );
      if (solution && !scan.found) cell.source = stub;
    });
    delete notebook.metadata.celltoolbar;
  },
};
