import { CoursehubError } from '../../util/errors.js';

/** A server could not be started or stopped by its spawner. */
export class SpawnerError extends CoursehubError {}

/** The hub user cannot be given a Unix account (bad name, clash with a system account). */
export class UnixAccountError extends CoursehubError {}
