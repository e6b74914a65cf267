import { cellSource, isGrade, type Cell } from '../../../notebook/index.js';
import { GenerateError, RegionError, UnsupportedFeatureError } from '../errors.js';
import type { GenerateStep } from '../step.js';
import { gradeIdOf } from '../step.js';

const DELIMITER = 'AUTOTEST';

/** A line that is a comment holding the AUTOTEST delimiter, as nbgrader recognises it (python kernels). */
function autotestLines(cell: Cell): string[] {
  if (cell.cell_type !== 'code') return [];
  return cellSource(cell)
    .split('\n')
    .filter((line) => line.includes(DELIMITER) && line.trim().startsWith('#'));
}

/**
 * InstantiateTests, the pure part: AUTOTEST directives are expanded with a kernel before the
 * pipeline runs (autotest/expand-autotests.ts, called by generateAssignment when it has a kernel
 * launcher). Any directive still here had no kernel: refuse it rather than release it raw, after
 * the checks nbgrader makes first (autotests.yml present, directive only in test cells).
 */
export const instantiateTests: GenerateStep = {
  name: 'InstantiateTests',
  run(notebook, context) {
    if (!notebook.cells.some((cell) => cell.cell_type === 'code' && cellSource(cell).includes(DELIMITER)))
      return;
    if (!context.autotestsYamlFound)
      throw new GenerateError(
        'No autotests.yml file found, but there were autotest directives found in the notebook.',
        {},
        {
          hint: 'Put an autotests.yml in the assignment folder or the course root, or remove the AUTOTEST lines.',
        },
      );
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
