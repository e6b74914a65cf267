/**
 * nbgrader's `determine_grade` and `get_partial_grade`: the automatic score of one grade cell.
 * - an answer (solution) cell scores 0 if unchanged (checksum matches), else needs a human (null);
 * - a test (code) cell scores 0 on an error or any stderr output, the value of its last result as
 *   partial credit when that is a number in [0, points], and full points otherwise;
 * - anything else (a markdown grade cell that is not an answer) needs a human.
 */
import {
  computeChecksum,
  isGrade,
  isSolution,
  joinLines,
  pointsAsFloat,
  type Cell,
  type ExecuteResultOutput,
} from '../../notebook/index.js';
import { CoursehubError } from '../../util/errors.js';

/** A test cell printed more partial credit than the cell is worth; nbgrader fails that submission. */
export class PartialCreditTooHighError extends CoursehubError {}

// Python's float() of a string: optional sign, decimal or exponent form, inf/nan, underscores.
const PYTHON_FLOAT = /^[+-]?((\d(_?\d)*)?\.?\d(_?\d)*([eE][+-]?\d(_?\d)*)?|inf|infinity|nan)$/i;

function pythonFloat(text: string): number | null {
  const trimmed = text.trim();
  if (!PYTHON_FLOAT.test(trimmed)) return null;
  const lower = trimmed.toLowerCase().replace(/_/g, '');
  if (lower.endsWith('inf') || lower.endsWith('infinity'))
    return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(lower);
}

export function partialGrade(output: ExecuteResultOutput, maxPoints: number, gradeId: string): number {
  const plain = output.data['text/plain'];
  // nbgrader: a list of several lines counts as "not a number" -> full credit.
  if (Array.isArray(plain) && plain.length > 1) return maxPoints;
  const text = Array.isArray(plain) ? String(plain[0] ?? '') : joinLines((plain as string | undefined) ?? '');
  const grade = pythonFloat(text);
  if (grade === null || Number.isNaN(grade)) return maxPoints;
  if (grade < 0) return maxPoints;
  if (grade > maxPoints) {
    throw new PartialCreditTooHighError(
      `Cell '${gradeId}' reports partial credit ${text} but is worth only ${maxPoints} points.`,
      { hint: 'partial credit cannot be greater than maximum points for cell: fix the test cell.' },
    );
  }
  return grade;
}

/** The automatic score of a grade cell, or null when a person has to grade it. */
export function determineGrade(cell: Cell): number | null {
  const meta = cell.metadata.nbgrader ?? {};
  if (!isGrade(cell)) throw new CoursehubError('determineGrade needs a grade cell.');
  const maxPoints = pointsAsFloat(meta.points);
  if (isSolution(cell)) {
    return meta.checksum !== undefined && meta.checksum === computeChecksum(cell) ? 0 : null;
  }
  if (cell.cell_type !== 'code') return null;
  for (const output of cell.outputs) {
    if (output.output_type === 'error') return 0;
    if (output.output_type === 'stream' && output.name === 'stderr') return 0;
    if (output.output_type === 'execute_result')
      return partialGrade(output, maxPoints, String(meta.grade_id));
  }
  return maxPoints;
}
