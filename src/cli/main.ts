/**
 * The `coursehub` command. Each subcommand lives in its own module under src/cli/ and is
 * registered in program.ts; boundary.ts turns every failure into one message and an exit code, and
 * this is the one place in src/ that ends the process: once the command is done, whatever still
 * holds the event loop (a stray timer, a pool) must not keep it alive.
 */
import { runCommandLine } from './boundary.js';
import { buildProgram } from './program.js';

process.exit(await runCommandLine(buildProgram(), process.argv));
