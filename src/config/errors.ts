import { CoursehubError } from '../util/errors.js';

/** The configuration (file, environment or command line) cannot be used; the message names the key. */
export class ConfigError extends CoursehubError {}
