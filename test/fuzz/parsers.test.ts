// The parsers of user input under generated near-valid and broken inputs (issue 17, item 7): a
// valid value or a CoursehubError, never another exception, a hang or a change on disk. A fixed
// seed keeps the run the same every time; `npm run fuzz` runs 100,000 inputs a parser.
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { FUZZ_TARGETS, removeFuzzFolder } from './targets.js';

/** Fixed, so that a failure here is the same failure on every machine. */
const SEED = 20240917;
const RUNS = 300;

describe('fuzzed parsers', { timeout: 120_000 }, () => {
  afterAll(removeFuzzFolder);
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: ${RUNS} inputs, a value or a CoursehubError`, async () => {
      await fc.assert(
        fc.asyncProperty(target.arbitrary, async (input) => {
          await target.check(input);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  }
});
