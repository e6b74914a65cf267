/**
 * A command stopped by a signal (Ctrl-C's SIGINT, or SIGTERM) after it cleaned up. The command
 * line exits with the shell's code for the signal (128 + its number), as an uncaught signal would.
 */
import { constants } from 'node:os';
import { CoursehubError } from './errors.js';

export class InterruptedError extends CoursehubError {
  constructor(readonly signal: NodeJS.Signals = 'SIGINT') {
    super(`interrupted (${signal})`);
  }

  get exitCode(): number {
    return 128 + (constants.signals[this.signal] ?? 2);
  }
}
