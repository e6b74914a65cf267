/**
 * The exchange's and the courses' errors: each says what was refused and, in its hint, what to do.
 * Callers (the REST API, the CLI) tell them apart by class, never by message.
 */
import type { GenerateErrorLocation } from '../grading/generate/index.js';
import { CoursehubError } from '../util/errors.js';

/** A course id, assignment id or student id that cannot name a folder. */
export class InvalidCourseNameError extends CoursehubError {}

/** The course, assignment, release, submission or user asked for does not exist. */
export class CourseNotFoundError extends CoursehubError {}

/** A course of that id exists already. */
export class CourseExistsError extends CoursehubError {}

/** The user has no role in the course that allows this. */
export class CourseRoleError extends CoursehubError {}

/** The assignment is not released (or was withdrawn): nothing to fetch or submit against. */
export class NotReleasedError extends CoursehubError {}

/** A submission was refused (a link, a name, a limit, a file the student cannot read). */
export class SubmissionRefusedError extends CoursehubError {}

/** The release folder of an assignment cannot be released as it is. */
export class ReleaseRefusedError extends CoursehubError {}

/**
 * Release generated the assignment first (no release folder yet) and generate refused: the
 * message is generate's, per notebook and cell; `location` names them for pages that point at it.
 */
export class ReleaseGenerateError extends ReleaseRefusedError {
  constructor(
    message: string,
    readonly location: GenerateErrorLocation,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}
