// Property tests of reading and writing: whatever we write reads back to the same value, and
// writing is stable (writing what we read gives the same bytes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseNotebook,
  parsePythonJson,
  writeNotebook,
  writePythonJson,
  type Notebook,
} from '../../src/notebook/index.js';

// Python has no int -0, so a -0 would read back as 0: keep it out of generated values.
const json = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => JSON.parse(JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? 0 : x))));
const text = fc.string({ unit: 'binary', maxLength: 40 });
const lines = fc.array(
  fc.oneof(text, fc.constantFrom('\n', '\r\n', '\r', 'é\n', '\u2028', '### BEGIN SOLUTION\n')),
  {
    maxLength: 6,
  },
);
const source = lines.map((parts) => parts.join(''));
const metadata = fc.dictionary(
  fc.string({ maxLength: 8 }).filter((k) => k !== 'trusted'),
  json,
  { maxKeys: 3 },
);

const output = fc.oneof(
  fc.record({ output_type: fc.constant('stream'), name: fc.constantFrom('stdout', 'stderr'), text: source }),
  fc.record({
    output_type: fc.constant('execute_result'),
    execution_count: fc.option(fc.nat(), { nil: null }),
    data: fc.record({ 'text/plain': source, 'application/json': json }),
    metadata: fc.constant({}),
  }),
);
const cell = fc.oneof(
  fc.record({
    cell_type: fc.constant('code' as const),
    source,
    metadata,
    outputs: fc.array(output, { maxLength: 3 }),
    execution_count: fc.option(fc.nat(), { nil: null }),
  }),
  fc.record({ cell_type: fc.constantFrom('markdown' as const, 'raw' as const), source, metadata }),
);
const notebook = fc.record({
  nbformat: fc.constant(4 as const),
  nbformat_minor: fc.integer({ min: 0, max: 5 }),
  metadata: metadata.filter((m) => !('orig_nbformat' in m || 'signature' in m || 'orig_nbformat_minor' in m)),
  cells: fc.array(cell, { maxLength: 5 }),
}) as fc.Arbitrary<Notebook>;

describe('notebook read/write properties', () => {
  it('a written notebook reads back to the same value', () => {
    fc.assert(
      fc.property(notebook, (nb) => {
        expect(parseNotebook(writeNotebook(nb))).toEqual(nb);
      }),
      { numRuns: 300 },
    );
  });

  it('writing what was read gives the same bytes', () => {
    fc.assert(
      fc.property(notebook, (nb) => {
        const once = writeNotebook(nb);
        expect(writeNotebook(parseNotebook(once))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('numbers keep their Python spelling through a round trip', () => {
    const number = fc.oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    );
    fc.assert(
      fc.property(fc.array(number, { minLength: 1, maxLength: 5 }), (numbers) => {
        const written = writePythonJson(parsePythonJson(`[${numbers.join(', ')}]`));
        expect(writePythonJson(parsePythonJson(written))).toBe(written);
        const parsed = parsePythonJson(written) as number[];
        numbers.forEach((n, i) => expect(parsed[i]).toBe(Number(n)));
      }),
    );
  });
});
