/** Refusals of grading by hand (the formgrader's pages and API). */
import { CoursehubError } from '../../util/errors.js';

/** A value a grader sent that the cell cannot take (a score above its points, a negative one). */
export class GradingValueError extends CoursehubError {}
