/**
 * Base class for errors a user (student, instructor, admin) is meant to read. The message says
 * what went wrong; `hint` says what to do about it. Layers subclass it with their own names
 * (NotebookFormatError, ConfigError, ...), so callers can tell kinds apart without string matching.
 */
export class CoursehubError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }

  /** The message and the hint together, as a command line or a page shows them. */
  describe(): string {
    return this.hint ? `${this.message}\n${this.hint}` : this.message;
  }
}
