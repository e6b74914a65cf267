import { CoursehubError } from '../util/errors.js';

/** A gradebook entry that was asked for does not exist (nbgrader's MissingEntry). */
export class GradebookMissingEntryError extends CoursehubError {}

/** A gradebook change that would contradict what is stored (e.g. an invalid student id). */
export class GradebookInvalidEntryError extends CoursehubError {}
