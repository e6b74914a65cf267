import { CoursehubError } from '../../util/errors.js';

/** A server could not be started or stopped by its spawner. */
export class SpawnerError extends CoursehubError {}

/** The start request holds user options this spawner does not take. */
export class UserOptionsError extends SpawnerError {}
