import { cellSource, isGrade, type Cell } from '../../../notebook/index.js';
import { gradeIdOf, type Step } from '../../pipeline/step.js';
import { expandAutotests, hasAutotests } from '../autotest/expand-autotests.js';
import type { GenerateContext } from '../context.js';
import { GenerateError, RegionError, UnsupportedFeatureError } from '../errors.js';

const DELIMITER = 'AUTOTEST';

/** A line that is a comment holding the AUTOTEST delimiter, as nbgrader recognises it (python kernels). */
function autotestLines(cell: Cell): string[] {
  if (cell.cell_type !== 'code') return [];
  return cellSource(cell)
    .split('\n')
    .filter((line) => line.includes(DELIMITER) && line.trim().startsWith('#'));
}

/**
 * InstantiateTests: AUTOTEST directives in test cells are expanded into assertions by running the
 * notebook in a kernel from the context (autotest/expand-autotests.ts). Without kernels, a
 * notebook with directives is refused rather than released raw, after the checks nbgrader makes
 * first (autotests.yml present, directives only in test cells).
 */
export const instantiateTests: Step<GenerateContext> = {
  name: 'InstantiateTests',
  async run(notebook, context) {
    if (!hasAutotests(notebook)) return;
    if (!context.autotestsYamlFound)
      throw new GenerateError(
        'No autotests.yml file found, but there were autotest directives found in the notebook.',
        {},
        {
          hint: 'Put an autotests.yml in the assignment folder or the course root, or remove the AUTOTEST lines.',
        },
      );
    if (context.kernels && context.autotestsYaml !== undefined) {
      await expandAutotests(notebook, {
        kernels: context.kernels,
        autotestsYaml: context.autotestsYaml,
        timeoutSeconds: context.settings.executeTimeout ?? 30,
      });
      return;
    }
    notebook.cells.forEach((cell, cellIndex) => {
      if (autotestLines(cell).length === 0) return;
      const where = { cellIndex, gradeId: gradeIdOf(cell) };
      if (!isGrade(cell))
        throw new RegionError(
          "AutoTest region detected in a non-grade cell; please make sure all autotest regions are within 'Autograder tests' cells.",
          where,
          { hint: 'Mark the cell as "Autograder tests" in the Create Assignment toolbar.' },
        );
      throw new UnsupportedFeatureError(
        'AUTOTEST directives need a kernel to expand, and none was given',
        where,
        {
          hint: 'Run generate with a kernel launcher (the coursehub command does), or write the tests out by hand.',
        },
      );
    });
  },
};
