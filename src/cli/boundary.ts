/**
 * The command line's one error boundary. Every command runs inside it, and every way a command
 * can fail ends here as one message and an exit code:
 *
 * - a refusal (a CoursehubError: bad input, a missing file, a wrong setting) prints its message and
 *   hint and exits 1;
 * - an expected failure that reached here unnamed (the file system, the database being busy or
 *   read-only) is said the same way, naming the path;
 * - an interrupt (Ctrl-C, SIGTERM) that the command cleaned up after exits 128 + the signal's number;
 * - anything else is a bug: one line that says so and where to report it, exit 70 (EX_SOFTWARE).
 *   The stack is printed only with the global `--debug` option.
 */
import { CommanderError, type Command } from 'commander';
import { CoursehubError } from '../util/errors.js';
import { fileSystemError } from '../util/file-errors.js';
import { InterruptedError } from '../util/interrupted.js';
import { ISSUE_TRACKER_URL } from './bug-report.js';

export const EXIT_REFUSED = 1;
export const EXIT_BUG = 70;

const SQLITE_FAILURES: Record<string, string> = {
  SQLITE_BUSY: 'the database is busy: another command or the hub is writing it',
  SQLITE_LOCKED: 'the database is locked by another command or the hub',
  SQLITE_READONLY: 'the database cannot be written (a read-only file or folder)',
  SQLITE_FULL: 'the disk holding the database is full',
  SQLITE_CORRUPT: 'the database file is damaged',
  SQLITE_NOTADB: 'the database file is not an SQLite database',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_IOERR: 'the database file could not be read or written (an I/O error)',
};

/** An expected failure of the database, said with what to do. */
function databaseFailure(error: unknown): CoursehubError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const known = Object.keys(SQLITE_FAILURES).find((prefix) => code.startsWith(prefix));
  if (!known) return undefined;
  return new CoursehubError(`${SQLITE_FAILURES[known]} (${code}).`, {
    hint: 'Try again; if it persists, check the file, its folder and the free space.',
    cause: error,
  });
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!;
}

function describeBug(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${firstLine(error.message)}`;
  return firstLine(String(error));
}

/** The stack, and the stacks of the causes, for --debug. */
function debugDetails(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}

/** Runs the program on `argv`; resolves to the exit code. Never rejects. */
export async function runCommandLine(program: Command, argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  if (!program.options.some((option) => option.long === '--debug'))
    program.option('--debug', 'print the stack trace of an unexpected error (for a bug report)');
  const say = (text: string) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof InterruptedError) {
      say(`coursehub: ${error.message}`);
      return error.exitCode;
    }
    const refusal =
      error instanceof CoursehubError ? error : (fileSystemError(error) ?? databaseFailure(error));
    if (refusal) {
      say(`coursehub: ${refusal.describe()}`);
      if (debug) say(debugDetails(error));
      return EXIT_REFUSED;
    }
    say(
      `coursehub: internal error (a bug): ${describeBug(error)}. Please report it at ${ISSUE_TRACKER_URL}` +
        (debug ? ' with the details below.' : ' (run again with --debug for the details to include).'),
    );
    if (debug) say(debugDetails(error));
    return EXIT_BUG;
  }
}
