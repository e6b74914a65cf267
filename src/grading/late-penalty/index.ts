/**
 * Late-submission penalties, as nbgrader's LateSubmissionPlugin computes them per notebook.
 *
 * A method is a function from (student, notebook score, seconds late) to a penalty, or null for
 * "no penalty assigned" (nbgrader stores None, not 0). Built in: `none` and `zero` (penalty = the
 * whole score). To add a rule, call `registerLatePenaltyMethod('name', rule)` from code that runs
 * before autograde (e.g. a module imported by your deployment), then set the method name in the
 * course config (`LateSubmissionPlugin.penalty_method`); the result is clamped to [0, score] as
 * nbgrader's AssignLatePenalties does.
 */
import { CoursehubError } from '../../util/errors.js';

export class UnknownLatePenaltyMethodError extends CoursehubError {}

export interface LatePenaltyInput {
  studentId: string;
  /** The notebook's score before the penalty. */
  score: number;
  /** > 0: the method is only asked about late notebooks. */
  secondsLate: number;
}

export type LatePenaltyMethod = (input: LatePenaltyInput) => number | null;

const methods = new Map<string, LatePenaltyMethod>([
  ['none', () => null],
  ['zero', ({ score }) => score],
]);

export function registerLatePenaltyMethod(name: string, method: LatePenaltyMethod): void {
  methods.set(name, method);
}

export function latePenaltyMethod(name: string): LatePenaltyMethod {
  const method = methods.get(name);
  if (!method) {
    throw new UnknownLatePenaltyMethodError(`Unknown late penalty method '${name}'.`, {
      hint: `Use one of: ${[...methods.keys()].join(', ')} (or register another with registerLatePenaltyMethod).`,
    });
  }
  return method;
}

/**
 * The penalty stored for one notebook: null when on time or when the method assigns none,
 * otherwise the method's value clamped to [0, score].
 */
export function notebookLatePenalty(method: LatePenaltyMethod, input: LatePenaltyInput): number | null {
  if (input.secondsLate <= 0) return null;
  const penalty = method(input);
  if (penalty === null) return null;
  if (penalty < 0) return 0;
  return Math.min(penalty, input.score);
}
