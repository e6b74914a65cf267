// A `coursehub`-like program with commands that fail the ways real ones can, run through the real
// error boundary of src/cli/ (main.ts does exactly this with the real commands).
import { Command } from 'commander';
import { runCommandLine } from '../../../src/cli/boundary.js';
import { CoursehubError } from '../../../src/util/errors.js';

const program = new Command().name('coursehub').exitOverride();
program.command('bug').action(() => {
  const missing = undefined as unknown as { field: string };
  console.log(missing.field); // a TypeError: a bug, not bad input
});
program.command('refused').action(() => {
  throw new CoursehubError('the value is wrong', { hint: 'Fix it.' });
});
program.command('reject-string').action(() => Promise.reject('a bare string'));

process.exit(await runCommandLine(program, process.argv));
