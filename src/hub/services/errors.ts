import { CoursehubError } from '../../util/errors.js';

/** A configured service cannot work as given (a scope, its token's source, its OAuth client). */
export class ServiceConfigError extends CoursehubError {}
