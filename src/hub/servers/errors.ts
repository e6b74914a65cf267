import { CoursehubError } from '../../util/errors.js';

/**
 * A start or stop the hub refuses. `status` is the HTTP status the API answers with, so the
 * route does not have to guess: 400 (wrong state), 404 (no such user), 429 (a limit).
 */
export class ServerRequestError extends CoursehubError {
  constructor(
    readonly status: 400 | 404 | 429,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** A server failed to start (crashed, timed out, never answered HTTP). */
export class ServerStartError extends CoursehubError {}
