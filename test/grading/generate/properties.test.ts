// Property tests of generate on random notebooks: it either succeeds or fails with one of our
// typed errors (never a crash), and what it releases never contains solution, hidden-test or
// mark-scheme text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenerateError, generateNotebook } from '../../../src/grading/generate/index.js';
import { nbgraderSettings } from '../../../src/grading/nbgrader-config.js';
import { writeNotebook, type Cell, type Notebook } from '../../../src/notebook/index.js';

const SECRET = 'SECRET_';
let secretCounter = 0;

/** Lines of cell source: plain text, secrets inside regions, and stray delimiters. */
const plainLine = fc.oneof(
  fc.string({ maxLength: 20 }).filter((s) => !s.includes('\n') && !s.includes('SECRET')),
  fc.constantFrom('x = 1', '    y = 2', '\tz = 3', 'assert f(1) == 1', 'héllo wörld'),
);
const region = fc
  .tuple(
    fc.constantFrom(
      ['BEGIN SOLUTION', 'END SOLUTION'],
      ['BEGIN HIDDEN TESTS', 'END HIDDEN TESTS'],
      ['BEGIN MARK SCHEME', 'END MARK SCHEME'],
    ),
    fc.constantFrom('### ', '    ### ', '# ', ''),
    fc.nat({ max: 3 }),
  )
  .map(([[begin, end], prefix, lines]) => [
    `${prefix}${begin}`,
    ...Array.from({ length: lines }, () => `    ${SECRET}${secretCounter++}`),
    `${prefix}${end}`,
  ]);
const strayDelimiter = fc.constantFrom(
  ['### BEGIN SOLUTION'],
  ['### END HIDDEN TESTS'],
  ['### BEGIN MARK SCHEME'],
);
const source = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: plainLine.map((l) => [l]) },
      { weight: 2, arbitrary: region },
      strayDelimiter,
    ),
    {
      maxLength: 6,
    },
  )
  .map((chunks) => chunks.flat().join('\n'));

const nbgraderMeta = fc.record(
  {
    schema_version: fc.constantFrom(3, 3, 3, 2),
    grade: fc.boolean(),
    solution: fc.boolean(),
    locked: fc.boolean(),
    task: fc.boolean(),
    grade_id: fc.constantFrom('a', 'b', 'c', 'd', 'bad id', ''),
    points: fc.oneof(fc.nat({ max: 5 }), fc.constant(-1), fc.constant('2' as unknown as number)),
  },
  { requiredKeys: ['schema_version', 'grade', 'solution', 'locked'] },
);

const cell: fc.Arbitrary<Cell> = fc
  .tuple(fc.constantFrom('code', 'markdown', 'raw'), source, fc.option(nbgraderMeta, { nil: undefined }))
  .map(([type, src, nbgrader]) => {
    const metadata = nbgrader ? { nbgrader } : {};
    return type === 'code'
      ? { cell_type: 'code', source: src, metadata, outputs: [], execution_count: null }
      : ({ cell_type: type, source: src, metadata } as Cell);
  });

const notebook: fc.Arbitrary<Notebook> = fc
  .tuple(fc.array(cell, { maxLength: 6 }), fc.constantFrom('python', 'R', 'julia', undefined))
  .map(([cells, language]) => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: language ? { kernelspec: { name: 'k', display_name: 'K', language } } : {},
    cells,
  }));

const enforcement = fc.boolean();

describe('generate on random notebooks', () => {
  it('succeeds or throws a GenerateError, and never releases secret text', async () => {
    let released = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(notebook, enforcement, async (nb, enforce) => {
        const settings = nbgraderSettings();
        settings.clearSolutions.enforceMetadata = enforce;
        settings.clearHiddenTests.enforceMetadata = enforce;
        settings.clearMarkScheme.enforceMetadata = enforce;
        try {
          const { release } = await generateNotebook(nb, {
            notebookId: 'nb',
            notebookLabel: 'nb.ipynb',
            settings,
          });
          released++;
          expect(writeNotebook(release)).not.toContain(SECRET);
        } catch (error) {
          if (!(error instanceof GenerateError)) throw error;
          refused++;
          expect(error.message).toContain('nb.ipynb');
        }
      }),
      { numRuns: 1000 },
    );
    // Both outcomes must actually be exercised, or the property says nothing.
    expect(released).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
