/** The report `nbgrader validate` prints, word for word (see nbgrader's Validator). */
import { indentBlock, pythonFill } from './text.js';
import type { ValidationResults } from './results.js';

const WIDTH = 90;
const INDENT = '    ';
const RULE = '\n' + '='.repeat(WIDTH) + '\n';
const block = (text: string) => indentBlock(text, INDENT, WIDTH);

const warning = (text: string) => pythonFill(text, WIDTH);

export function formatValidationReport(
  results: ValidationResults,
  options: { invert?: boolean } = {},
): string {
  let out = '';
  if (results.typeChanged && results.typeChanged.length > 0) {
    out += warning(
      `THE TYPES OF ${results.typeChanged.length} CELL(S) HAVE CHANGED! This might mean that even though the tests ` +
        "are passing now, they won't pass when your assignment is graded.",
    );
    for (const cell of results.typeChanged)
      out += `${RULE}The following ${cell.oldType} cell has changed to a ${cell.newType} cell:\n\n${block(cell.source)}\n\n`;
  } else if (results.changed && results.changed.length > 0) {
    out += warning(
      `THE CONTENTS OF ${results.changed.length} TEST CELL(S) HAVE CHANGED! This might mean that even though the tests ` +
        "are passing now, they won't pass when your assignment is graded.",
    );
    for (const cell of results.changed)
      out += `${RULE}The following cell has changed:\n\n${block(cell.source)}\n\n`;
  } else if (options.invert) {
    const passed = results.passed ?? [];
    out +=
      passed.length === 0
        ? 'Success! The notebook does not pass any tests.\n'
        : warning(`NOTEBOOK PASSED ON ${passed.length} CELL(S)!`);
    for (const cell of passed) out += `${RULE}The following cell passed:\n\n${block(cell.source)}\n\n`;
  } else {
    const failed = results.failed ?? [];
    out +=
      failed.length === 0
        ? 'Success! Your notebook passes all the tests.\n'
        : warning(
            `VALIDATION FAILED ON ${failed.length} CELL(S)! If you submit your assignment as it is, you WILL NOT ` +
              'receive full credit.',
          );
    for (const cell of failed)
      out += `${RULE}The following cell failed:\n\n${block(cell.source)}\n\nThe error was:\n\n${block(cell.error)}\n\n`;
  }
  return out;
}

/** The verdict in one line, for logs and pages. */
export function validationPassed(results: ValidationResults, options: { invert?: boolean } = {}): boolean {
  if (results.typeChanged?.length || results.changed?.length) return false;
  return options.invert ? (results.passed ?? []).length === 0 : (results.failed ?? []).length === 0;
}
