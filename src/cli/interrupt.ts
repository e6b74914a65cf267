/**
 * Ctrl-C (SIGINT) and SIGTERM for commands that clean up after themselves: `validate` stops its
 * kernel and removes its scratch folder. Such a command asks for `interruptSignal()` and hands it
 * down; from then on the first signal aborts it, the work ends with an InterruptedError once it has
 * cleaned up, and the boundary exits with the signal's code. A second signal, or a clean-up that
 * takes too long, ends the process at once as the signal would have.
 *
 * Commands that never ask keep Node's default (the signal ends the process): autograde and
 * generate build beside their targets and sweep what a killed run left, and `start` and `proxy`
 * install their own handlers.
 */
import { InterruptedError } from '../util/interrupted.js';

/** How long a command may take to clean up after the first signal. */
const CLEAN_UP_MS = 15_000;

let controller: AbortController | undefined;

function dieOf(signal: NodeJS.Signals): void {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, signal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (!controller || controller.signal.aborted) return dieOf(signal);
  process.stderr.write(`coursehub: ${signal}: stopping and cleaning up (again to stop at once)\n`);
  controller.abort(new InterruptedError(signal));
  setTimeout(() => dieOf(signal), CLEAN_UP_MS).unref();
}

/** The signal a command's work listens to; calling this takes over SIGINT and SIGTERM. */
export function interruptSignal(): AbortSignal {
  if (!controller) {
    controller = new AbortController();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return controller.signal;
}
